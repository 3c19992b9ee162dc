"""Matrix entries; see the package docstring."""

ROUTES: dict = {}
POSTED: dict = {}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    return {}


def admin_objects(objects: dict) -> dict:
    return {}
