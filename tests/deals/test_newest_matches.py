"""A partner's customer search reads the newest rows first (prm.listing.NewestMatches): whatever the
window, every slice holds exactly the rows of the plain query, in its order."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deals.models import Deal
from deals.selectors import customer_matches, customer_scan, deal_list, search_deals
from prm.listing import NewestMatches

T0 = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)


def seed(partner, names):
    """Draft registrations of ``partner`` (a partner user's lists show drafts) named ``names``, the first
    the oldest; two share each instant, so that the order also rests on the key."""
    deals = Deal.objects.bulk_create(
        [
            Deal(partner=partner, customer_company=name, customer_email="", customer_country="BR", amount=1)
            for name in names
        ]
    )
    for n, deal in enumerate(deals):
        Deal.objects.filter(pk=deal.pk).update(created_at=T0 + datetime.timedelta(minutes=n // 2))
    return deals


def plain(scope, text):
    return list(scope.filter(customer_matches(text)).order_by("-created_at", "-pk"))


# Matches among the newest rows, a gap, and older matches; "rare" only in the oldest rows.
NAMES = ["Rare Alpha", "Acme Old 1", "Other", "Acme Old 2", "Other", "Rare Beta"] + [
    "Acme New" if n % 3 == 0 else "Other" for n in range(12)
]


@pytest.mark.django_db
@pytest.mark.parametrize("window", [1, 2, 5, 11, 17, 18, 19, 40])
@pytest.mark.parametrize("text", ["acme", "rare", "other", "nothing"])
def test_every_slice_equals_the_plain_query_whatever_the_window(world, window, text):
    partner = world["partner_a"]
    seed(partner, NAMES)
    scope = Deal.objects.filter(partner=partner)
    expected = plain(scope, text)
    rows = NewestMatches(scope, matches=customer_matches(text), scan=customer_scan(text), window=window)
    for start in range(0, len(NAMES) + 2):
        for size in (1, 2, 3, 7):
            assert rows[start : start + size] == expected[start : start + size], (start, size)


@pytest.mark.django_db
def test_the_scan_finds_what_the_indexed_condition_finds_and_never_across_the_two_columns(world):
    partner = world["partner_a"]
    deal, other = seed(partner, ["Ação Ltda", "Plain"])
    Deal.objects.filter(pk=deal.pk).update(customer_email="compras@acao.example")
    scope = Deal.objects.filter(partner=partner)
    for text in ("AÇÃO", "ação ltda", "COMPRAS@", "acao.example", "%", "_"):
        assert list(scope.filter(customer_scan(text))) == list(scope.filter(customer_matches(text))), text
    # The company's end and the email's start are not one text.
    assert not scope.filter(customer_scan("ltda compras")).exists()
    assert list(scope.filter(customer_scan("plain"))) == [other]


@pytest.mark.django_db
def test_the_partner_list_and_header_search_read_the_window_and_stay_in_scope(world):
    partner, user = world["partner_a"], world["partner_a_sales"]
    seed(partner, NAMES)
    seed(world["partner_b"], ["Acme of B"] * 30)
    expected = plain(Deal.objects.filter(partner=partner), "acme")
    listed = deal_list(user, search="acme")
    assert isinstance(listed, NewestMatches)
    assert listed[0:26] == expected
    assert [hit.title for hit in search_deals(user, "acme", 3)] == [d.customer_company for d in expected[:3]]
    # Sorted or filtered by status, the list is the plain query.
    assert not isinstance(deal_list(user, search="acme", sort="amount"), NewestMatches)
    assert not isinstance(deal_list(user, search="acme", status="draft"), NewestMatches)


@pytest.mark.django_db
def test_the_window_is_read_from_the_date_index(world):
    """The newest rows are read in the order of ``deal_partner_created`` (which holds the searched
    columns), the page's matches filtered on the way, without the trigram indexes."""
    partner = world["partner_a"]
    seed(partner, NAMES)
    scope = Deal.objects.filter(partner=partner).order_by("-created_at", "-pk")
    recent = scope.filter(customer_scan("acme"), created_at__gte=timezone.now() - datetime.timedelta(days=3650))
    sql, params = recent.values("pk")[:26].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("SET LOCAL enable_sort = off")  # a tiny table: sorting it looks as cheap
        # As would walking every partner's rows in date order (rolled back with the test's transaction).
        cursor.execute("DROP INDEX deal_created")
        cursor.execute("EXPLAIN " + sql, params)
        shown = "\n".join(row[0] for row in cursor.fetchall())
    # An index-only scan once the rows are all visible (VACUUM), as in a table in production.
    assert "Scan using deal_partner_created" in shown, shown
    assert "trgm" not in shown


@pytest.mark.django_db
def test_a_common_word_fills_the_page_from_the_window_in_two_queries(world):
    partner = world["partner_a"]
    seed(partner, NAMES)
    scope = Deal.objects.filter(partner=partner)
    rows = NewestMatches(scope, matches=customer_matches("acme"), scan=customer_scan("acme"), window=12)
    with CaptureQueriesContext(connection) as captured:
        assert len(rows[0:4]) == 4  # the window (the newest 12 rows) holds four "Acme New"
    assert len(captured.captured_queries) == 2  # the window's bound, the page
    with CaptureQueriesContext(connection) as captured:
        assert [d.customer_company for d in rows[0:6]] == ["Acme New"] * 4 + ["Acme Old 2", "Acme Old 1"]
    assert len(captured.captured_queries) == 3  # and the older rows, through the trigram indexes


def test_only_bounded_slices_are_read():
    rows = NewestMatches(Deal.objects.none(), matches=customer_matches("x"), scan=customer_scan("x"))
    for item in (0, slice(0, None), slice(0, 10, 2)):
        with pytest.raises(TypeError):
            rows[item]
