"""The partner dashboard as its users meet it: who reads it, what it shows of the peers, its
exports and its API, in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from analytics.services import rollup
from prm.audit.models import AuditEvent
from tests import factories

from .conftest import days_ago, won

DOMINANT = Decimal("987654321")


def peers(world, count, tier=None):
    """``count`` partners of partner A's program and tier."""
    a = world["partner_a"]
    return [factories.PartnerFactory(program=a.program, tier=tier or a.tier, country="BR") for _ in range(count)]


@pytest.fixture
def tiered(world):
    tier = factories.TierFactory(program=world["partner_a"].program)
    world["partner_a"].tier = tier
    world["partner_a"].save(update_fields=["tier"])
    return tier


@pytest.mark.django_db
def test_admins_and_executives_read_it_sales_once_it_is_shared_their_own_figures_before(client, world):
    a = world["partner_a"]
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200 and b"Win rate" in page.content
    client.force_login(factories.partner_user(a, "executive"))
    assert client.get(reverse("dashboard")).status_code == 200
    client.force_login(world["partner_a_sales"])
    own = client.get(reverse("dashboard"))  # not shared: their own figures (tests/analytics/test_my_figures.py)
    assert own.status_code == 200 and own.templates[0].name == "analytics/my_figures.html"
    assert client.get(reverse("dashboard_export", args=["kpis"])).status_code == 403
    assert client.post(reverse("team_dashboard_sharing"), {"shared": "1"}).status_code == 403
    client.force_login(world["partner_a_admin"])
    response = client.post(reverse("team_dashboard_sharing"), {"shared": "1", "next": "dashboard"})
    assert response.status_code == 302 and response["Location"] == reverse("dashboard")
    assert AuditEvent.objects.filter(action="partner.dashboard_shared", object_id=str(a.pk)).count() == 1
    client.post(reverse("team_dashboard_sharing"), {"shared": "1"})  # again: nothing changes
    assert AuditEvent.objects.filter(action="partner.dashboard_shared").count() == 1
    client.force_login(world["partner_a_sales"])
    shared = client.get(reverse("dashboard"))
    assert shared.status_code == 200 and shared.templates[0].name == "analytics/partner_dashboard.html"
    nav = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("dashboard")}"' in nav


@pytest.mark.django_db
def test_each_partner_reads_its_own_figures_only(client, world, history):
    won(history, world["partner_a"], 4321)
    client.force_login(world["partner_b_user"])
    page = client.get(reverse("dashboard")).content.decode()
    assert "4,321" not in page and "Partner A" not in page
    body = client.get(reverse("api_dashboard_partner")).json()
    revenue = next(kpi for kpi in body["kpis"] if kpi["key"] == "won_revenue")
    assert Decimal(revenue["value"]) == 0
    client.force_login(world["partner_a_admin"])
    assert "4,321" in client.get(reverse("dashboard")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("others, shown", [(3, False), (4, True)])
def test_peers_are_compared_from_five_partners_and_never_revealed(client, world, history, tiered, others, shown):
    a = world["partner_a"]
    group = peers(world, others, tiered)
    won(history, a, 1000)
    won(history, group[0], DOMINANT)  # one peer far above the others
    for peer in group[1:]:
        won(history, peer, 10)
    rollup(since=days_ago(400), until=days_ago(1))  # peers are compared on their rolled-up days
    client.force_login(world["partner_a_admin"])
    page = client.get(reverse("dashboard")).content.decode()
    assert ("Better than" in page) is shown
    assert "987,654,321" not in page and "987654321" not in page
    for peer in group:
        assert peer.name not in page
    body = client.get(reverse("api_dashboard_partner")).json()
    assert str(DOMINANT) not in str(body)
    revenue = next(kpi for kpi in body["kpis"] if kpi["key"] == "won_revenue")
    if shown:
        assert body["peer_group_size"] == 5 and revenue["percentile"] == 75  # above three of four
    else:
        assert body["peer_group_size"] is None and revenue["percentile"] is None
    assert body["peer_group"] == "tier"


@pytest.mark.django_db
def test_the_period_picker_and_a_refused_custom_period(client, world):
    client.force_login(world["partner_a_admin"])
    ok = client.get(reverse("dashboard"), {"period": "qtd"})
    assert ok.status_code == 200 and ok.context["period"].key == "qtd"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = client.get(reverse("dashboard"), {"period": "custom", "since": "2026-01-01", "until": tomorrow})
    assert refused.status_code == 400 and refused.context["period"].key == "12m"
    assert "The period cannot end after today." in refused.content.decode()
    api = client.get(reverse("api_dashboard_partner"), {"period": "custom", "since": "x", "until": "2026-01-01"})
    assert api.status_code == 400 and "since" in api.json()
    # A client's unknown period or empty date is refused, where the page falls back to the default.
    assert client.get(reverse("api_dashboard_partner"), {"period": "decade"}).status_code == 400
    assert client.get(reverse("api_dashboard_partner"), {"until": ""}).status_code == 400
    assert client.get(reverse("dashboard"), {"period": "decade"}).status_code == 200


@pytest.mark.django_db
def test_the_exports(client, world, history):
    won(history, world["partner_a"], 1000)
    client.force_login(world["partner_a_admin"])
    revenue = client.get(reverse("dashboard_export", args=["revenue"]))
    assert revenue.status_code == 200 and revenue["Content-Type"].startswith("text/csv")
    lines = revenue.content.decode().strip().splitlines()
    assert len(lines) == 13 and lines[0].startswith("Month,") and any(line.endswith(",1000.00") for line in lines)
    for table in ("kpis", "pipeline", "funnel"):
        assert client.get(reverse("dashboard_export", args=[table])).status_code == 200
    figures = client.get(reverse("dashboard_export", args=["kpis"])).content.decode().splitlines()
    assert "Win rate,100.0,,," in figures  # no previous period: empty cells, not "None"
    assert client.get(reverse("dashboard_export", args=["secrets"])).status_code == 404
    bad = client.get(reverse("dashboard_export", args=["kpis"]), {"period": "custom", "since": "", "until": ""})
    assert bad.status_code == 400


@pytest.mark.django_db
def test_the_page_reads_a_constant_number_of_queries(client, world, history, tiered):
    a = world["partner_a"]
    client.force_login(world["partner_a_admin"])
    rollup(since=days_ago(400), until=days_ago(1))
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("dashboard")).status_code == 200
    group = peers(world, 6, tiered)
    for partner in [a, *group]:
        won(history, partner, 100, n=3)
        history.offer(partner, offered=days_ago(3), accepted=True)
    rollup(since=days_ago(400), until=days_ago(1))
    client.get(reverse("dashboard"))  # the peers' figures of this run, kept
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("dashboard")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


@pytest.mark.django_db
def test_the_peers_figures_are_kept_per_rollup_run_and_computed_without_the_cache(
    client, world, history, tiered, monkeypatch
):
    from django.core.cache import cache

    from analytics.services import rollup_recent

    a = world["partner_a"]
    group = peers(world, 4, tiered)
    for n, partner in enumerate([a, *group]):
        won(history, partner, 100 * (n + 1))
    rollup_recent()  # rolls the trailing days up and computes every group's peers for the standard periods
    client.force_login(world["partner_a_admin"])
    with CaptureQueriesContext(connection) as warm:
        page = client.get(reverse("dashboard"))
    revenue = next(row for row in page.context["kpis"] if row.key == "won_revenue")
    assert revenue.percentile == 0  # the lowest of five
    monkeypatch.setattr(cache, "get", lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("down")))
    monkeypatch.setattr(cache, "set", lambda *args, **kwargs: (_ for _ in ()).throw(ConnectionError("down")))
    with CaptureQueriesContext(connection) as cold:
        page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert next(row for row in page.context["kpis"] if row.key == "won_revenue").percentile == 0
    assert len(cold.captured_queries) > len(warm.captured_queries)  # computed at the visit
