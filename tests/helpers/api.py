"""The REST API as its clients use it, and the OpenAPI schema as drf-spectacular generates it."""

import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api(world):
    """``api(role)``: an API client signed in as that role of the world (``None``: anonymous)."""

    def make(role=None, user=None):
        return signed_in(user or (world[role] if role else None))

    return make


def signed_in(user=None) -> APIClient:
    """An API client signed in as the user (``None``: anonymous); one per thread in concurrency tests."""
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def listed_ids(client, url: str, **params) -> set[int]:
    """The ids of the records a list answers (the answer must be 200)."""
    response = client.get(url, params)
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


def generated_schema() -> tuple[dict, list[str]]:
    """The public OpenAPI schema and the warnings and errors drf-spectacular met generating it."""
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    return schema, [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]


def assert_conflict(response, detail: str, status: str) -> None:
    """A 409 for a refused state change: the reason and the record's status now."""
    assert response.status_code == 409
    assert response.json() == {"detail": detail, "status": status, "code": "rule"}
