"""The partner's history: 24 months of its main figures, newest first, read from the rolled-up days
(and live for the days the rollup has not reached), two months side by side, and its CSV."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.figures import month_starts, today
from analytics.history import partner_history
from analytics.services import rollup
from deals.models import DealStatus

DAY = datetime.timedelta(days=1)


def months_back(n: int) -> datetime.date:
    """The first day of the month ``n`` months before this one."""
    return month_starts(today(), n + 1)[0]


def last_day(month: datetime.date) -> datetime.date:
    return months_back_from(month, -1) - DAY


def months_back_from(month: datetime.date, n: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 - n
    return datetime.date(index // 12, index % 12 + 1, 1)


def key(month: datetime.date) -> str:
    return month.isoformat()[:7]


@pytest.fixture
def months(world, history):
    """Partner A (program in USD), by month counted back from this one (M0):

    - M1: a registration submitted and approved on its first day, won on its last day for 1,000 USD;
      one submitted on M2's last day, approved and lost on M1's first day; a lead offered on M1's
      second day, accepted and converted on its third;
    - M23 (the oldest month shown): a registration submitted on its first day;
    - M24: one submitted on its last day, the day before the table starts: counted nowhere.

    Partner B has a registration of its own in M1."""
    a = world["partner_a"]
    m1, m2, m23, m24 = months_back(1), months_back(2), months_back(23), months_back(24)
    history.deal(
        a, submitted=m1, status=DealStatus.WON, decided=m1, closed=last_day(m1), currency="USD", final=Decimal(1000)
    )
    history.deal(a, submitted=last_day(m2), status=DealStatus.LOST, decided=m1, closed=m1, currency="USD")
    history.offer(a, offered=m1 + DAY, accepted=True, converted=m1 + 2 * DAY)
    history.deal(a, submitted=m23)
    history.deal(a, submitted=last_day(m24))
    history.deal(world["partner_b"], submitted=m1, currency="USD")
    return {"m1": m1, "m2": m2, "m23": m23}


ZERO = {
    "submitted": 0,
    "approved": 0,
    "won": 0,
    "lost": 0,
    "won_revenue": Decimal("0.00"),
    "win_rate": None,
    "offered": 0,
    "accepted": 0,
    "converted": 0,
}


@pytest.mark.django_db
@pytest.mark.parametrize("rolled", [False, True])
def test_the_hand_computed_months(world, months, rolled):
    if rolled:
        rollup(since=months_back(25), until=today() - DAY)
    rows = partner_history(world["partner_a"])
    assert [row.start for row in rows] == [months_back(n) for n in range(24)]  # newest first
    assert rows[0].to_date and not any(row.to_date for row in rows[1:])
    by_month = {row.start: row.values for row in rows}
    assert by_month[months["m1"]] == {
        **ZERO,
        "submitted": 1,
        "approved": 2,
        "won": 1,
        "lost": 1,
        "won_revenue": Decimal("1000.00"),
        "win_rate": Decimal("50.0"),
        "offered": 1,
        "accepted": 1,
        "converted": 1,
    }
    assert by_month[months["m2"]] == {**ZERO, "submitted": 1}
    assert by_month[months["m23"]] == {**ZERO, "submitted": 1}
    assert sum(row.values["submitted"] for row in rows) == 3  # M24's is before the table


@pytest.mark.django_db
def test_the_page_compares_two_months(client, world, months):
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("dashboard_history"), {"a": key(months["m2"]), "b": key(months["m1"])})
    assert page.status_code == 200 and page.context["error"] is None
    assert len(page.context["months"]) == 24
    compared = {row.key: (row.a, row.b, row.change) for row in page.context["comparison"]}
    assert compared["submitted"] == (1, 1, Decimal("0.0"))
    assert compared["approved"] == (0, 2, None)  # no change from nothing
    assert compared["won_revenue"] == (Decimal("0.00"), Decimal("1000.00"), None)
    assert compared["win_rate"] == (None, Decimal("50.0"), None)
    # By default, the last month over against the one before.
    default = client.get(reverse("dashboard_history"))
    assert default.status_code == 200
    assert (default.context["a"], default.context["b"]) == (months["m2"], months["m1"])
    # The partner dashboard links to it.
    assert reverse("dashboard_history") in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"a": "2026-13"}, "a", "Enter a month as YYYY-MM"),
        ({"b": "abcd"}, "b", "Enter a month as YYYY-MM"),
        ({"a": "2026-1"}, "a", "Enter a month as YYYY-MM"),
        ({"a": "0000-01"}, "a", "Enter a month as YYYY-MM"),
        ({"b": "next"}, "b", "The month cannot be after this month."),
        ({"a": "old"}, "a", "Choose one of the last 24 months."),
    ],
)
def test_a_refused_month(client, world, months, params, field, message):
    if params.get("b") == "next":
        params = {"b": key(months_back_from(months_back(0), -1))}
    if params.get("a") == "old":
        params = {"a": key(months_back(24))}
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("dashboard_history"), params)
    assert page.status_code == 400 and page.context["error"].field == field
    text = page.content.decode()
    assert message in text and "is-invalid" in text
    assert (page.context["a"], page.context["b"]) == (months["m2"], months["m1"])  # the defaults
    assert len(page.context["comparison"]) == 9 and len(page.context["months"]) == 24


@pytest.mark.django_db
def test_the_current_and_the_oldest_month_are_accepted(client, world, months):
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("dashboard_history"), {"a": key(months["m23"]), "b": key(months_back(0))})
    assert page.status_code == 200
    assert (page.context["a"], page.context["b"]) == (months["m23"], months_back(0))


@pytest.mark.django_db
def test_the_export(client, world, months):
    client.force_login(world["partner_a_admin"])
    csv = client.get(reverse("dashboard_history_export"))
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().strip().splitlines()
    assert lines[0] == (
        "Month,Registrations submitted,Registrations approved,Deals won,Deals lost,Won revenue (USD),Win rate,"
        "Leads offered,Leads accepted,Leads converted"
    )
    assert len(lines) == 25 and lines[1].startswith(key(months_back(0)) + ",")
    assert f"{key(months['m1'])},1,2,1,1,1000.00,50.0,1,1,1" in lines
    assert f"{key(months['m2'])},1,0,0,0,0.00,,0,0,0" in lines  # no win rate: an empty cell


@pytest.mark.django_db
def test_scoping(client, world, months, mfa):
    client.force_login(world["partner_a_sales"])  # not shared with sales
    assert client.get(reverse("dashboard_history")).status_code == 403
    assert client.get(reverse("dashboard_history_export")).status_code == 403
    client.force_login(world["partner_b_user"])  # another partner's history: its own only
    rows = client.get(reverse("dashboard_history")).context["months"]
    submitted = [dict((column.key, value) for column, value in values)["submitted"] for _m, _l, values in rows]
    assert sum(submitted) == 1  # partner B's registration of M1, none of A's
    for cam in ("cam_a", "cam_other"):
        mfa(world[cam])
    client.force_login(world["cam_a"])
    staff = client.get(reverse("staff_partner_history", args=[world["partner_a"].pk]))
    assert staff.status_code == 200 and staff.context["staff_view"]
    assert (
        reverse("staff_partner_history", args=[world["partner_a"].pk])
        in client.get(reverse("staff_partner_dashboard", args=[world["partner_a"].pk])).content.decode()
    )
    client.force_login(world["cam_other"])
    assert client.get(reverse("staff_partner_history", args=[world["partner_a"].pk])).status_code == 404


@pytest.mark.django_db
def test_a_constant_number_of_queries(client, world, history, months):
    a = world["partner_a"]
    client.force_login(world["partner_a_admin"])
    rollup(since=months_back(25), until=today() - DAY)
    client.get(reverse("dashboard_history"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard_history")).status_code == 200
    for n in range(1, 24):
        start = months_back(n)
        history.deal(a, submitted=start, status=DealStatus.WON, decided=start, closed=start + DAY, final=Decimal(n))
        history.deal(a, submitted=start + DAY, status=DealStatus.LOST, decided=start, closed=start + DAY)
        history.offer(a, offered=start, accepted=True)
    history.deal(a, submitted=today(), currency="EUR")  # today: read live
    rollup(since=months_back(25), until=today() - DAY)
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("dashboard_history"), {"a": key(months_back(23)), "b": key(months_back(0))})
    assert len(large.captured_queries) == len(small.captured_queries)
