from tests.deals.conftest import make_deal  # noqa: F401  (re-exported: won deals for the home page tests)
from tests.partners.test_admin import staff_client  # noqa: F401  (re-exported: staff signed in with TOTP)
