"""The REST API as its clients use it, and the OpenAPI schema as drf-spectacular generates it."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(world):
    """``api(role)``: an API client signed in as that role of the world (``None``: anonymous)."""

    def make(role=None, user=None):
        client = APIClient(raise_request_exception=False)
        user = user or (world[role] if role else None)
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


def generated_schema() -> tuple[dict, list[str]]:
    """The public OpenAPI schema and the warnings and errors drf-spectacular met generating it."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema, [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
