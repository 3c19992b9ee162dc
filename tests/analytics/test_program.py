"""The program dashboard of vendor staff: scope, totals, ranking and its reasons, exports, API."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.periods import dashboard_period
from analytics.program import program_dashboard
from analytics.services import rollup
from tests import factories

from .conftest import days_ago, won


@pytest.mark.django_db
def test_totals_ranking_and_scope(world, history):
    a, b = world["partner_a"], world["partner_b"]
    won(history, a, 1000, n=2)
    won(history, b, 500)
    history.deal(b, submitted=days_ago(5))
    won(history, b, 100, days=400)  # the previous period: growth for B
    rollup(since=days_ago(800), until=days_ago(1))
    period = dashboard_period("12m")
    data = program_dashboard(world["channel_manager"], period)
    figures = {row["key"]: row["value"] for row in data["kpis"]}
    assert figures["won_revenue"] == Decimal("2500.00") and figures["won"] == 3 and figures["submitted"] == 4
    assert data["partners"] == 2 and data["active"] == 2
    assert [r.name for r in data["ranking"]] == ["Partner A", "Partner B"]
    first = data["ranking"][0]
    reasons = dict(first.reasons)
    assert reasons["Won revenue"] == 100 and reasons["Registrations submitted"] == 50  # 2 against 2: a tie, half
    # A CAM reads their portfolio only.
    mine = program_dashboard(world["cam_other"], period)
    assert [r.name for r in mine["ranking"]] == ["Partner B"] and mine["partners"] == 1
    assert {row["key"]: row["value"] for row in mine["kpis"]}["won_revenue"] == Decimal("500.00")


@pytest.mark.django_db
def test_the_weights_decide_the_order(world, history, settings):
    a, b = world["partner_a"], world["partner_b"]
    won(history, a, 1000)
    for _ in range(3):
        history.deal(b, submitted=days_ago(10))
    rollup(since=days_ago(60), until=days_ago(1))
    period = dashboard_period("12m")
    settings.ANALYTICS_RANKING_WEIGHTS = {"revenue": 100}
    assert [r.name for r in program_dashboard(world["channel_manager"], period)["ranking"]] == [
        "Partner A",
        "Partner B",
    ]
    settings.ANALYTICS_RANKING_WEIGHTS = {"registrations": 100, "unknown": 50}
    ranked = program_dashboard(world["channel_manager"], period)["ranking"]
    assert [r.name for r in ranked] == ["Partner B", "Partner A"] and [r.score for r in ranked] == [100, 0]


@pytest.mark.django_db
def test_pages_drill_down_exports_and_api(staff_client, world, history):
    a, b = world["partner_a"], world["partner_b"]
    a.name = "=HYPERLINK(evil)"
    a.save(update_fields=["name"])
    won(history, a, 1234)
    rollup(since=days_ago(60), until=days_ago(1))
    client = staff_client("cam_a")
    page = client.get(reverse("staff_dashboard"))
    assert page.status_code == 200 and "1,234" in page.content.decode()
    assert "A ranking compares at least two partners" in page.content.decode()  # the CAM's one partner
    assert client.get(reverse("staff_partner_dashboard", args=[a.pk])).status_code == 200
    assert client.get(reverse("staff_partner_dashboard", args=[b.pk])).status_code == 404  # not their partner
    csv = client.get(reverse("staff_dashboard_export", args=["ranking", "csv"])).content.decode()
    assert "'=HYPERLINK(evil)" in csv and "Partner B" not in csv
    xlsx = client.get(reverse("staff_dashboard_export", args=["ranking", "xlsx"]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "=HYPERLINK(evil)" in strings and "<f>" not in book_formulas(xlsx.content)
    for table in ("kpis", "countries", "tiers"):
        assert client.get(reverse("staff_dashboard_export", args=[table, "xlsx"])).status_code == 200
    assert client.get(reverse("staff_dashboard_export", args=["ranking", "pdf"])).status_code == 404
    api = client.get(reverse("api_ranking")).json()
    assert [p["partner_id"] for p in api["partners"]] == [a.pk] and api["weights"]["revenue"] == 40
    manager = staff_client("channel_manager").get(reverse("staff_dashboard")).content.decode()
    assert reverse("staff_partner_dashboard", args=[a.pk]) in manager and "Partner B" in manager
    client = staff_client("cam_a")
    program = client.get(reverse("api_dashboard_program"), {"period": "qtd"}).json()
    assert program["partners"] == 1 and program["period"] == "qtd"
    assert client.get(reverse("api_dashboard_program"), {"period": "custom", "since": "x"}).status_code == 400


def book_formulas(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return book.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.django_db
def test_partner_users_are_refused(client, world):
    client.force_login(world["partner_a_admin"])
    assert client.get(reverse("staff_dashboard")).status_code == 403
    assert client.get(reverse("api_dashboard_program")).status_code == 404
    assert client.get(reverse("api_ranking")).status_code == 404


@pytest.mark.django_db
def test_the_program_page_reads_a_constant_number_of_queries(staff_client, world, history):
    client = staff_client("channel_manager")
    rollup(since=days_ago(60), until=days_ago(1))
    client.get(reverse("staff_dashboard"))
    with CaptureQueriesContext(connection) as small:
        client.get(reverse("staff_dashboard"))
    for _ in range(8):
        partner = factories.PartnerFactory(program=world["partner_a"].program)
        won(history, partner, 10)
    rollup(since=days_ago(60), until=days_ago(1))
    client.get(reverse("staff_dashboard"))
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("staff_dashboard")).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)
