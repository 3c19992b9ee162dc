"""The partners app's API (mounted in ``prm.urls``).

Modules: ``partners`` (/api/v1/partners/: the partners a caller may see, their own partner's
profile and team) and ``applications`` (/api/v1/applications/: the public application to the
partner program).
"""

from .applications import ApplicationViewSet
from .partners import MyPartnerView, MyTeamViewSet, PartnerViewSet

__all__ = ["ApplicationViewSet", "MyPartnerView", "MyTeamViewSet", "PartnerViewSet"]
