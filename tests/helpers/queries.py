from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_to_get(client, url: str, params=None) -> int:
    """How many database queries a GET of the URL makes (the answer must be 200)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def queries_before_and_after(client, url: str, *, rows, more_rows) -> tuple[int, int]:
    """The queries of a GET of the URL once ``rows()`` made the first rows, then once ``more_rows()``
    added more; a first GET warms the caches (content types, permissions)."""
    rows()
    client.get(url)
    before = queries_to_get(client, url)
    more_rows()
    return before, queries_to_get(client, url)


def statements(queries) -> list[str]:
    """The kind of each captured query (SELECT, INSERT…), in order."""
    return [query["sql"].split()[0].upper() for query in queries]


def inserts(queries) -> list[str]:
    """The captured queries that insert rows."""
    return [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("INSERT")]
