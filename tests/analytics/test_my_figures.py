""" "My figures": a partner user's own deal registrations over a period, against the previous one,
counted as the partner's dashboard counts (days, conversion), never a colleague's."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.mine import my_figures
from analytics.periods import dashboard_period
from analytics.selectors import partner_dashboard
from deals.models import Deal, DealStatus
from partners.models import Membership
from prm.money.models import ExchangeRate
from tests import factories

D = datetime.date
# The period asked for: March 2026; the previous one is the 31 days before, 29 January to 28 February.
MARCH = {"period": "custom", "since": "2026-03-01", "until": "2026-03-31"}


def own(history, user, partner=None, **fields):
    """A registration written by ``user`` (its creator) at their partner."""
    deal = history.deal(partner or user.membership.partner, **fields)
    Deal.objects.filter(pk=deal.pk).update(created_by=user)
    return deal


@pytest.fixture
def sales(world, history):
    """Partner A's sales user (program in USD) with four registrations of their own:

    1. submitted on 1 March (the period's first day), approved on 5 March, won on 31 March (its last
       day) for 1,000 EUR at 1.10 USD: 1,100.00 USD;
    2. submitted on 28 February (the day before: the previous period), approved on 2 March, lost on
       15 March;
    3. submitted on 1 April (the day after: counted nowhere), still awaiting a decision, 500 USD
       estimated (the open pipeline);
    4. submitted on 10 January, approved on 20 January (before the previous period), won on
       28 February (the previous period's last day) for 300 USD.

    A colleague's registrations (a sales user and the admin) and another partner's, the same days,
    must not count, nor one without a creator."""
    user = world["partner_a_sales"]
    own(history, user, submitted=D(2026, 3, 1), status=DealStatus.WON, decided=D(2026, 3, 5),
        closed=D(2026, 3, 31), currency="EUR", final=Decimal(1000))  # fmt: skip
    own(history, user, submitted=D(2026, 2, 28), status=DealStatus.LOST, decided=D(2026, 3, 2),
        closed=D(2026, 3, 15), currency="USD")  # fmt: skip
    own(history, user, submitted=D(2026, 4, 1), currency="USD", amount=Decimal(500))
    own(history, user, submitted=D(2026, 1, 10), status=DealStatus.WON, decided=D(2026, 1, 20),
        closed=D(2026, 2, 28), currency="USD", final=Decimal(300))  # fmt: skip
    ExchangeRate.objects.create(date=D(2026, 3, 31), currency="USD", rate=Decimal("1.10"))
    a = world["partner_a"]
    colleague = factories.partner_user(a, "sales")
    for someone in (colleague, world["partner_a_admin"]):
        own(history, someone, submitted=D(2026, 3, 10), status=DealStatus.WON, decided=D(2026, 3, 11),
            closed=D(2026, 3, 20), currency="USD", final=Decimal(7777))  # fmt: skip
        own(history, someone, submitted=D(2026, 3, 12), currency="USD", amount=Decimal(8888))
    own(history, world["partner_b_user"], submitted=D(2026, 3, 10), status=DealStatus.WON, decided=D(2026, 3, 11),
        closed=D(2026, 3, 20), currency="USD", final=Decimal(6666))  # fmt: skip
    history.deal(a, submitted=D(2026, 3, 10), currency="USD", amount=Decimal(9999))  # no creator
    return user


def values(user, params=MARCH):
    period = dashboard_period(params["period"], params["since"], params["until"])
    data = my_figures(user.membership, period)
    return {row.key: (row.value, row.previous, row.change) for row in data["kpis"]}


@pytest.mark.django_db
def test_the_hand_computed_figures(sales):
    assert values(sales) == {
        "submitted": (1, 1, Decimal("0.0")),  # deal 1 (1 March); before: deal 2 (28 February)
        "approved": (2, 0, None),  # deals 1 and 2; deal 4's approval is older than the previous period
        "won": (1, 1, Decimal("0.0")),  # deal 1 on the last day; before: deal 4 on 28 February
        "lost": (1, 0, None),
        "win_rate": (Decimal("50.0"), Decimal("100.0"), Decimal("-50.0")),  # points
        "won_revenue": (Decimal("1100.00"), Decimal("300.00"), Decimal("266.7")),
        "pipeline_count": (1, None, None),  # deal 3, awaiting a decision now
        "pipeline_amount": (Decimal("500.00"), None, None),
    }


@pytest.mark.django_db
def test_the_period_boundaries(world, history):
    user = world["partner_a_sales"]
    for day in (D(2026, 2, 28), D(2026, 3, 1), D(2026, 3, 31), D(2026, 4, 1)):
        own(history, user, submitted=day, status=DealStatus.WON, decided=day, closed=day, currency="USD",
            final=Decimal(day.day))  # fmt: skip
    figures = values(user)
    assert figures["submitted"][0] == 2 and figures["approved"][0] == 2 and figures["won"][0] == 2
    assert figures["won_revenue"][0] == Decimal("32.00")  # 1 March and 31 March, not 28 February nor 1 April
    assert figures["submitted"][1] == 1 and figures["won_revenue"][1] == Decimal("28.00")  # 28 February


@pytest.mark.django_db
def test_converted_as_the_partner_dashboard_converts(world, history):
    """A user who registered all of their partner's deals has the partner's figures."""
    user = world["partner_a_sales"]
    for currency, final in (("USD", "1000"), ("EUR", "100.01"), ("EUR", "33.33"), ("BRL", "500")):
        own(history, user, submitted=D(2026, 3, 2), status=DealStatus.WON, decided=D(2026, 3, 3),
            closed=D(2026, 3, 20), currency=currency, final=Decimal(final))  # fmt: skip
    ExchangeRate.objects.create(date=D(2026, 3, 20), currency="USD", rate=Decimal("1.1234"))
    period = dashboard_period("custom", "2026-03-01", "2026-03-31")
    company = {row.key: row.value for row in partner_dashboard(world["partner_a"], period)["kpis"]}
    data = my_figures(user.membership, period)
    mine = {row.key: row.value for row in data["kpis"]}
    for key in ("submitted", "approved", "won", "lost", "win_rate", "won_revenue"):
        assert mine[key] == company[key], key
    assert data["missing"] == [("BRL", D(2026, 3, 20))]


@pytest.mark.django_db
def test_a_sales_user_reads_their_own_figures_on_the_dashboard_when_it_is_not_shared(client, world, sales):
    client.force_login(sales)
    page = client.get(reverse("dashboard"), MARCH)
    assert page.status_code == 200
    text = page.content.decode()
    assert "My figures" in text and "USD 1,100" in text
    assert "7,777" not in text and "8,888" not in text and "6,666" not in text and "9,999" not in text
    assert "Lead funnel" not in text  # not the company's dashboard
    assert page.context["company_dashboard"] is False
    assert client.get(reverse("dashboard_mine"), MARCH).content.decode().count("USD 1,100") == 1
    # The company's figures stay closed to them.
    assert client.get(reverse("dashboard_export", args=["kpis"])).status_code == 403
    assert client.get(reverse("api_dashboard_partner")).status_code == 403
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dashboard")}"' in home


@pytest.mark.django_db
def test_a_marketing_user_without_registrations_reads_zeros(client, world, sales):
    client.force_login(factories.partner_user(world["partner_a"], "marketing"))
    page = client.get(reverse("dashboard"), MARCH)
    assert page.status_code == 200
    assert {row.key: row.value for row in page.context["kpis"]}["won_revenue"] == Decimal("0.00")


@pytest.mark.django_db
def test_once_shared_the_company_dashboard_links_to_my_figures(client, world, sales):
    a = world["partner_a"]
    a.dashboard_shared = True
    a.save(update_fields=["dashboard_shared"])
    client.force_login(sales)
    page = client.get(reverse("dashboard"), MARCH)
    assert page.status_code == 200 and "Lead funnel" in page.content.decode()
    assert reverse("dashboard_mine") in page.content.decode()
    mine = client.get(reverse("dashboard_mine"), MARCH)
    assert mine.status_code == 200 and mine.context["company_dashboard"] is True
    assert {row.key: row.value for row in mine.context["kpis"]}["won_revenue"] == Decimal("1100.00")


@pytest.mark.django_db
def test_scoping_each_user_reads_their_own_registrations_only(client, world, sales):
    admin = world["partner_a_admin"]
    client.force_login(admin)  # the admin's own: 7,777 won, 8,888 open; never the sales user's
    figures = {row.key: row.value for row in client.get(reverse("dashboard_mine"), MARCH).context["kpis"]}
    assert figures["won_revenue"] == Decimal("7777.00") and figures["pipeline_amount"] == Decimal("8888.00")
    client.force_login(world["partner_b_user"])  # another partner's user: their own, nothing of partner A
    figures = {row.key: row.value for row in client.get(reverse("dashboard_mine"), MARCH).context["kpis"]}
    assert figures["won_revenue"] == Decimal("6666.00") and figures["submitted"] == 1
    # A user's registrations made at their former partner stay there.
    Membership.objects.filter(user=sales).update(partner=world["partner_b"])
    client.force_login(sales)
    figures = {row.key: row.value for row in client.get(reverse("dashboard_mine"), MARCH).context["kpis"]}
    assert figures["submitted"] == 0 and figures["won_revenue"] == Decimal("0.00")
    # Vendor staff have no figures of their own.
    client.force_login(world["cam_a"])
    assert client.get(reverse("dashboard_mine")).status_code == 302


@pytest.mark.django_db
def test_the_export_and_a_refused_period(client, world, sales):
    client.force_login(sales)
    csv = client.get(reverse("dashboard_mine_export"), MARCH)
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode().splitlines()
    assert lines[0] == "Figure,Value,Previous period,Change"
    assert "Won revenue,1100.00,300.00,266.7" in lines
    bad = {"period": "custom", "since": "2026-03-01", "until": "x"}
    assert client.get(reverse("dashboard_mine_export"), bad).status_code == 400
    page = client.get(reverse("dashboard"), bad)
    assert page.status_code == 400 and page.context["period"].key == "12m"
    assert "Enter a valid date." in page.content.decode()


@pytest.mark.django_db
def test_the_page_reads_a_constant_number_of_queries(client, world, history, sales):
    client.force_login(sales)
    client.get(reverse("dashboard"), MARCH)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard"), MARCH).status_code == 200
    for n in range(12):
        own(history, sales, submitted=D(2026, 3, 1 + n), status=DealStatus.WON, decided=D(2026, 3, 2 + n),
            closed=D(2026, 3, 3 + n), currency=("USD", "EUR", "BRL")[n % 3], final=Decimal(10 + n))  # fmt: skip
        own(history, sales, submitted=D(2026, 2, 1 + n), currency=("USD", "EUR")[n % 2])
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("dashboard"), MARCH).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
