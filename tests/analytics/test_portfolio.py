"""The CAM's portfolio: the health score and its parts, the page's scope, order and pages in a
constant number of queries, the inactive partners, and the lead clocks on the partner dashboard."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics import health
from analytics.health import PAGE_SIZE, activity_score, inactive_partners, portfolio, sla_share
from analytics.models import PartnerActivity
from analytics.services import rollup
from prm.sla.models import DeadlineState
from tests import factories

from .conftest import days_ago

DAY = datetime.timedelta(days=1)
NOW = datetime.datetime(2026, 11, 20, 12, tzinfo=datetime.UTC)


def kept(partner, *, last=None, inactive_since=None, kind="partners.login"):
    return PartnerActivity.objects.create(
        partner=partner,
        last_activity_at=last,
        last_activity_kind=kind if last else "",
        inactive_since=inactive_since,
        checked_at=timezone.now(),
    )


# --- The score ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "age, score",
    [
        (datetime.timedelta(0), 100),
        (7 * DAY, 100),  # active in the last 7 days
        (18 * DAY + 12 * datetime.timedelta(hours=1), 50),  # half way from 7 to 30 days
        (29 * DAY, 4),  # 1/23 of the way, rounded
        (30 * DAY - datetime.timedelta(seconds=1), 0),
        (30 * DAY, 0),  # the threshold
        (400 * DAY, 0),
    ],
)
def test_activity_score(age, score):
    assert activity_score(NOW - age, NOW, 30) == score


def test_activity_score_without_activity_or_with_a_threshold_within_the_recent_days():
    assert activity_score(None, NOW, 30) == 0
    assert activity_score(NOW - 8 * DAY, NOW, 7) == 0
    assert activity_score(NOW - 6 * DAY, NOW, 7) == 100
    assert activity_score(NOW - 10 * DAY, NOW, 13) == 50  # another program's threshold: (13-10)/(13-7)


def test_health_is_the_weighted_mean_of_the_components_present():
    full = health.health({"activity": 100, "pipeline": 50, "sla": 0})
    assert full.score == 55  # (40×100 + 30×50 + 30×0) / 100
    assert [str(label) for label, _value in full.components] == ["Activity", "Pipeline", "SLA compliance"]
    # Without SLA clocks its weight is shared out: (40×100 + 30×50) / 70 = 78.57.
    assert health.health({"activity": 100, "pipeline": 50, "sla": None}).score == 79
    # Without activity: (30×50 + 30×0) / 60.
    assert health.health({"activity": None, "pipeline": 50, "sla": 0}).score == 25
    assert health.health({"activity": 20, "pipeline": None, "sla": None}).score == 20
    # An unknown component has no weight; nothing at all has no score.
    assert health.health({"activity": 60, "certified": 0}).score == 60
    empty = health.health({"activity": None, "pipeline": None, "sla": None})
    assert (empty.score, empty.components, empty.tone, empty.label) == (None, (), "neutral", "no figures yet")


@pytest.mark.parametrize(
    "score, tone, label",
    [
        (100, "good", "healthy"),
        (70, "good", "healthy"),
        (69, "action", "to watch"),
        (40, "action", "to watch"),
        (39, "bad", "at risk"),
        (0, "bad", "at risk"),
    ],
)
def test_the_health_bands(score, tone, label):
    found = health.Health(score=score, components=())
    assert (found.tone, found.label) == (tone, label)


@pytest.mark.parametrize(
    "sums, share",
    [
        ({}, None),
        ({"leads.sla_met": 0, "leads.sla_missed": 0}, None),
        ({"leads.sla_met": 1, "leads.sla_missed": 2}, 33),
        ({"leads.sla_met": 2, "leads.sla_missed": 1}, 67),
        ({"leads.sla_met": 1, "leads.sla_missed": 1}, 50),
        ({"leads.sla_met": Decimal(3)}, 100),
        ({"leads.sla_missed": Decimal(3)}, 0),
    ],
)
def test_sla_share(sums, share):
    assert sla_share(sums) == share


# --- The page -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cam_sees_only_their_partners(world, staff_client):
    kept(world["partner_a"], last=timezone.now() - DAY)
    kept(world["partner_b"], last=timezone.now() - 40 * DAY, inactive_since=timezone.now() - 10 * DAY)
    page = staff_client("cam_a").get(reverse("staff_portfolio"))
    assert page.status_code == 200
    assert [row.partner.name for row in page.context["rows"]] == ["Partner A"]
    assert (page.context["partners"], page.context["inactive"]) == (1, 0)
    content = page.content.decode()
    assert "Partner A" in content and "Partner B" not in content
    assert page.context["inactive_list"] == {"rows": [], "count": 0}
    # A single partner has no pipeline percentile: its health is its activity.
    assert page.context["rows"][0].health.score == 100


@pytest.mark.django_db
def test_partners_and_their_users_may_not_open_it(world, client):
    client.force_login(world["partner_a_admin"])
    assert client.get(reverse("staff_portfolio")).status_code == 403


@pytest.mark.django_db
def test_the_least_healthy_first(world, staff_client):
    now = timezone.now()
    a, b = world["partner_a"], world["partner_b"]
    c = factories.PartnerFactory(name="Partner C")
    factories.PartnerFactory(name="Partner D")
    kept(a, last=now - DAY)  # activity 100
    kept(b, last=now - 18 * DAY - 12 * datetime.timedelta(hours=1))  # activity 50
    kept(c)  # checked, never active: activity 0
    # D was never checked: no activity component. Nobody registered anything: pipeline 50 each (ties).
    page = staff_client("channel_manager").get(reverse("staff_portfolio"))
    rows = page.context["rows"]
    assert [(row.partner.name, row.health.score) for row in rows] == [
        ("Partner C", 21),  # (40×0 + 30×50) / 70
        ("Partner B", 50),
        ("Partner D", 50),  # ties by name
        ("Partner A", 79),
    ]
    assert page.context["at_risk"] == 1
    assert rows[0].last_activity_at is None and rows[3].last_activity == "a sign-in"


@pytest.mark.django_db
def test_the_rolled_up_figures_make_the_pipeline_and_sla_components(world, history):
    a, b = world["partner_a"], world["partner_b"]
    now = timezone.now()
    for partner in (a, b):
        kept(partner, last=now - DAY)
    history.deal(a, submitted=days_ago(10))
    history.deal(a, submitted=days_ago(20))
    history.deal(a, submitted=days_ago(200))  # outside the 90 days
    history.clock(a, closed=days_ago(5), state=DeadlineState.MET)
    history.clock(a, closed=days_ago(6), state=DeadlineState.MET)
    history.clock(a, closed=days_ago(7))
    history.clock(a, closed=days_ago(120))  # outside the 90 days
    rollup(since=days_ago(400), until=days_ago(1))
    data = portfolio(world["channel_manager"], now=now)
    by_name = {row.partner.name: row for row in data["rows"]}
    assert by_name["Partner A"].registrations == 2 and by_name["Partner B"].registrations == 0
    assert dict((str(label), value) for label, value in by_name["Partner A"].health.components) == {
        "Activity": 100,
        "Pipeline": 100,  # above the other one
        "SLA compliance": 67,  # 2 met of 3
    }
    assert by_name["Partner A"].health.score == 90  # (4000 + 3000 + 2010) / 100 = 90.1
    assert dict((str(label), value) for label, value in by_name["Partner B"].health.components) == {
        "Activity": 100,
        "Pipeline": 0,
    }
    assert by_name["Partner B"].health.score == 57  # 4000 / 70
    assert [row.partner.name for row in data["rows"]] == ["Partner B", "Partner A"]


@pytest.mark.django_db
def test_pages_in_a_constant_number_of_queries(world, staff_client, history):
    client = staff_client("channel_manager")
    url = reverse("staff_portfolio")
    step = factories.OnboardingStepFactory(program=world["partner_a"].program)
    assert step.pk

    def partners(count):
        # One inactive partner per batch (a full inactive list, ten rows, adds its count query:
        # see the inactive list's own test).
        made = [factories.PartnerFactory(name=f"Member {n:02d}") for n in range(count)]
        for n, partner in enumerate(made):
            kept(partner, last=timezone.now() - n * DAY, inactive_since=timezone.now() if n == 0 else None)
            history.deal(partner, submitted=days_ago(3))
        return made

    def measured(params=None):
        client.get(url, params or {})  # warms the caches of this scope
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params or {})
        assert response.status_code == 200
        return len(queries), response

    partners(1)  # with partners A and B: three in scope
    rollup(since=days_ago(100), until=days_ago(1))
    small, response = measured()
    assert response.context["partners"] == 3 and len(response.context["rows"]) == 3
    assert not response.context["page_obj"].has_other_pages()
    partners(27)  # thirty
    rollup(since=days_ago(100), until=days_ago(1))
    large, response = measured()
    assert response.context["partners"] == 30 and len(response.context["rows"]) == PAGE_SIZE
    assert large == small
    second, response = measured({"page": 2})
    assert len(response.context["rows"]) == 30 - PAGE_SIZE and second == small
    first_page = {row.partner.pk for row in measured()[1].context["rows"]}
    assert first_page.isdisjoint(row.partner.pk for row in response.context["rows"])
    assert response.context["inactive"] == 2  # the first member of each batch
    assert measured({"page": "x"})[1].context["page_obj"].number == 1
    assert measured({"page": 99})[1].context["page_obj"].number == 2


@pytest.mark.django_db
def test_the_inactive_partners_on_the_portfolio_and_the_program_dashboard(world, staff_client):
    now = timezone.now()
    kept(world["partner_a"], last=now - 35 * DAY, inactive_since=now - 5 * DAY)
    kept(world["partner_b"], inactive_since=now - 2 * DAY)
    listing = inactive_partners(world["channel_manager"])
    assert [row["name"] for row in listing["rows"]] == ["Partner A", "Partner B"] and listing["count"] == 2
    assert listing["rows"][0]["last_activity"] == "a sign-in"
    assert [row["name"] for row in inactive_partners(world["cam_a"])["rows"]] == ["Partner A"]

    for role, names in (("channel_manager", ["Partner A", "Partner B"]), ("cam_a", ["Partner A"])):
        client = staff_client(role)
        for url in (reverse("staff_portfolio"), reverse("staff_dashboard")):
            page = client.get(url)
            assert page.status_code == 200
            assert [row["name"] for row in page.context["inactive_list"]["rows"]] == names
            section = page.content.decode().split('id="inactive-h"')[1].split("</section>")[0]
            for name in names:
                assert name in section
            if role == "cam_a":
                assert "Partner B" not in section


@pytest.mark.django_db
def test_the_inactive_list_shows_the_longest_inactive_and_counts_them_all(world):
    now = timezone.now()
    for n in range(12):
        kept(factories.PartnerFactory(name=f"Quiet {n:02d}"), inactive_since=now - n * DAY)
    gone = factories.PartnerFactory(name="Gone", is_active=False)
    kept(gone, inactive_since=now - 100 * DAY)
    listing = inactive_partners(world["channel_manager"])
    assert listing["count"] == 12
    assert [row["name"] for row in listing["rows"]] == [f"Quiet {n:02d}" for n in range(11, 1, -1)]


@pytest.mark.django_db
def test_the_partner_dashboard_shows_the_lead_clocks(world, history, client):
    a = world["partner_a"]
    history.clock(a, closed=days_ago(10))
    history.clock(a, closed=days_ago(11), kind="lead.first_contact")
    history.clock(a, closed=days_ago(12), state=DeadlineState.MET)
    history.clock(world["partner_b"], closed=days_ago(10))
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("dashboard"))
    values = {row.key: row.value for row in page.context["kpis"]}
    assert values["sla_misses"] == 2 and values["sla_compliance"] == Decimal("33.3")
    content = page.content.decode()
    assert "Lead clocks missed" in content and "Lead clocks met in time" in content
    client.force_login(world["partner_b_user"])
    values = {row.key: row.value for row in client.get(reverse("dashboard")).context["kpis"]}
    assert values["sla_misses"] == 1 and values["sla_compliance"] == Decimal("0.0")
