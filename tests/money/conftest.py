from tests.deals.conftest import make_deal  # noqa: F401  (re-exported: won deals for the home page tests)
