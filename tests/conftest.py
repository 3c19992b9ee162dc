import pytest
from django.core.cache import cache
from django.test import Client

from partners.roles import StaffRole
from tests import factories


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate limits and throttles live in the Redis cache; every test starts from none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client():
    """A test client that returns error responses (a 500 shows as a 500) instead of raising."""
    return Client(raise_request_exception=False)


@pytest.fixture
def world(db):
    """The cast of the authorization matrix: two partners and one user per role."""
    partner_a = factories.PartnerFactory(name="Partner A")
    partner_b = factories.PartnerFactory(name="Partner B", country="FR")
    cast = {
        "partner_a": partner_a,
        "partner_b": partner_b,
        "partner_a_admin": factories.partner_user(partner_a, "admin"),
        "partner_a_sales": factories.partner_user(partner_a, "sales"),
        "partner_b_user": factories.partner_user(partner_b, "admin"),
        "cam_a": factories.staff_user(StaffRole.CAM, partners=[partner_a]),
        "cam_other": factories.staff_user(StaffRole.CAM, partners=[partner_b]),
        "channel_manager": factories.staff_user(StaffRole.CHANNEL_MANAGER),
        "executive": factories.staff_user(StaffRole.EXECUTIVE),
    }
    return cast


@pytest.fixture
def mfa(db):
    """Give a user a TOTP authenticator; returns a function computing the current code."""
    import time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    def enable(user):
        secret = generate_totp_secret()
        TOTP.activate(user, secret)

        def code():
            # A code is valid in its 30-second window only: near a window's end, wait for the next
            # one, so that a slow request does not carry the code past its window.
            remaining = 30 - time.time() % 30
            if remaining < 8:
                time.sleep(remaining + 0.05)
            return format_hotp_value(hotp_value(secret, int(time.time()) // 30))

        return code

    return enable


@pytest.fixture
def staff_mfa(world, mfa):
    """The world's vendor staff with TOTP set up, as staff need before any page or API call."""
    for role in ("cam_a", "cam_other", "channel_manager", "executive"):
        mfa(world[role])
    return world
