"""Matrix entries of the partner pages; see the package docstring."""

from tests.test_authorization_matrix import LOGIN, row

ROUTES: dict = {
    "deal_list": row(LOGIN, 200, 200, 200, 200, 200, 200, 200),
}
POSTED: dict = {}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    return {}


def admin_objects(objects: dict) -> dict:
    return {}
