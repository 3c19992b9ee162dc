from contextlib import contextmanager

import pytest

from partners.roles import StaffRole
from prm import embedded
from tests import factories
from tests.prm.notifications.test_outage import celery_broker


@pytest.fixture
def broker_back(tmp_path):
    """A throw-away Redis for the broker after the outage: ``with broker_back() as url``."""
    server = embedded.EmbeddedRedis(tmp_path / "redis")
    url = server.start()

    @contextmanager
    def back():
        with celery_broker(url):
            yield url

    yield back
    server.stop()


@pytest.fixture
def three_cams(world):
    """Partner A with three CAMs: one submission writes three notifications, three publishes."""
    for _ in range(2):
        factories.staff_user(StaffRole.CAM, partners=[world["partner_a"]])
    return world
