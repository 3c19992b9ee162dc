import pytest

from prm.celery import app


@pytest.fixture
def celery_inline():
    """Run Celery tasks in the calling process, as a worker would, and surface their errors."""
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous
