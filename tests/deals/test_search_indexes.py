"""The searches of registrations are served by the trigram indexes on ``UPPER(column)``: an expression
index serves only the identical expression, so a change of the lookup (``contains``, ``iexact``,
``unaccent``…) or of the index would silently go back to reading every row."""

import pytest
from django.db import connection

from deals.models import Deal
from deals.selectors import customer_matches, search_deals


def plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        # A test table is tiny: forbid the sequential scan, and the ordered walk of the date index that
        # a LIMIT can make look cheaper there, so that the planner shows what can find the rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        # Nor the date index that holds the customer's columns (for a partner's newest rows): read whole,
        # it is another way through a tiny table. Dropped in the test's transaction, rolled back after.
        cursor.execute("DROP INDEX deal_partner_created")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_the_customer_condition_reads_the_trigram_indexes():
    shown = plan(
        *Deal.objects.filter(customer_matches("Acme Soluções")).order_by().values("pk").query.sql_with_params()
    )
    assert "deal_company_search_trgm" in shown
    assert "deal_email_search_trgm" in shown


@pytest.mark.django_db
def test_the_header_search_of_every_registration_reads_the_trigram_indexes(world):
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        search_deals(world["channel_manager"], "acme", 5)
    (query,) = [q["sql"] for q in captured.captured_queries if 'FROM "deals_deal"' in q["sql"]]
    shown = plan(query, None)
    assert "deal_company_search_trgm" in shown
    assert "deal_email_search_trgm" in shown
