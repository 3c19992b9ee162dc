from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_to_get(client, url: str, params=None) -> int:
    """How many database queries a GET of the URL makes (the answer must be 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)
