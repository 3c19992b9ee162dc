from .core import *  # noqa: F403
from .onboarding import *  # noqa: F403
from .recruitment import *  # noqa: F403
