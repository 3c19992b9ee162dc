"""The won revenue of the trailing year, converted by a task and used while it holds (deals.won_revenue)."""

import datetime
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import services, won_revenue
from deals.metrics import won_revenue_with_missing
from deals.models import PartnerWonRevenue
from deals.selectors import partner_deal_summary
from tests.prm.money import test_home
from tests.prm.money.test_home import days_ago, rate

# The fixtures of the home's conversion tests: a program in USD with two tiers, and won deals.
usd_program, won_deal = test_home.usd_program, test_home.won_deal


def _live(partner):
    return won_revenue_with_missing([partner.pk], won_revenue.period()).get(partner.pk, (Decimal("0.00"), set()))


def _row(partner) -> PartnerWonRevenue:
    return PartnerWonRevenue.objects.get(partner=partner)


def _summary_queries(partner):
    with CaptureQueriesContext(connection) as queries:
        summary = partner_deal_summary(partner)
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    return summary, sql


def test_the_home_reads_the_converted_figure_while_it_holds(world, won_deal):
    partner = world["partner_a"]
    rate("USD", days_ago(20), "1.0823")
    rate("BRL", days_ago(20), "6.1234")
    won_deal(Decimal("12345.00"), "BRL")
    won_deal(Decimal("100.00"), "USD")
    summary, sql = _summary_queries(partner)
    assert "deals_partnerdealday" in sql and "money_exchangerate" in sql  # not converted yet: live
    live = summary["won_revenue_12m"]

    assert won_revenue.refresh() >= 1
    row = _row(partner)
    assert not row.stale and row.amount == live == _live(partner)[0] and row.currency == "USD"
    summary, sql = _summary_queries(partner)
    assert summary["won_revenue_12m"] == live
    assert "deals_partnerdealday" not in sql and "money_exchangerate" not in sql  # the stored figure
    assert won_revenue.refresh() == 0  # idempotent: nothing left to convert


def test_a_deal_won_makes_the_figure_stale_and_the_page_converts_live(world, won_deal, make_deal):
    partner = world["partner_a"]
    won_deal(Decimal("100.00"), "USD")
    won_revenue.refresh()
    version = _row(partner).version

    submitted = make_deal(world["partner_a_admin"], partner, submit=True, currency="USD", customer_company="Other Co")
    services.deal_approve(actor=world["cam_a"], deal=submitted)
    assert not _row(partner).stale  # a submission or an approval changes nothing that was won

    won_deal(Decimal("50.00"), "USD")
    row = _row(partner)
    assert row.stale and row.version > version and row.amount == Decimal("100.00")
    assert partner_deal_summary(partner)["won_revenue_12m"] == Decimal("150.00")  # live, never the old figure
    won_revenue.refresh()
    assert _row(partner).amount == Decimal("150.00") and not _row(partner).stale


def test_a_new_rate_makes_every_figure_stale(world, won_deal):
    partner = world["partner_a"]
    won_deal(Decimal("600.00"), "BRL")
    won_revenue.refresh()
    row = _row(partner)
    assert row.amount == Decimal("0.00") and row.missing == [["BRL", days_ago(20).isoformat()]]
    assert partner_deal_summary(partner)["won_revenue_missing"] == [("BRL", days_ago(20))]

    rate("USD", days_ago(30), "1.2000")
    rate("BRL", days_ago(20), "6.0000")  # 600 / 6 × 1.2 = 120
    assert _row(partner).stale
    summary = partner_deal_summary(partner)
    assert summary["won_revenue_12m"] == Decimal("120.00") and summary["won_revenue_missing"] == []
    won_revenue.refresh()
    assert _row(partner).amount == Decimal("120.00") and _row(partner).missing == []


def test_a_figure_of_another_day_or_currency_does_not_hold(world, won_deal, usd_program):
    partner = world["partner_a"]
    won_deal(Decimal("100.00"), "USD")
    won_revenue.refresh()
    tomorrow = won_revenue.period(datetime.date.today() + datetime.timedelta(days=1))
    assert won_revenue.fresh_won_revenue(partner, tomorrow) is None
    assert won_revenue.fresh_won_revenue(partner, won_revenue.period()) == (Decimal("100.00"), set())
    usd_program.currency = "EUR"
    usd_program.save()
    partner.refresh_from_db()
    assert won_revenue.fresh_won_revenue(partner, won_revenue.period()) is None
    assert won_revenue.refresh() >= 1 and _row(partner).currency == "EUR"


def test_a_deal_won_while_the_task_converts_leaves_the_figure_stale(world, won_deal, monkeypatch):
    partner = world["partner_a"]
    won_deal(Decimal("100.00"), "USD")
    convert = won_revenue_with_missing

    def convert_then_a_deal_is_won(partner_ids, period):
        figures = convert(partner_ids, period)
        won_deal(Decimal("50.00"), "USD")  # committed by the time the task writes
        return figures

    monkeypatch.setattr("deals.metrics.won_revenue_with_missing", convert_then_a_deal_is_won)
    won_revenue.refresh()
    row = _row(partner)
    assert row.stale and row.amount == Decimal("0.00")  # the figure without the new deal was not written
    monkeypatch.undo()
    assert won_revenue.refresh() >= 1 and _row(partner).amount == Decimal("150.00")


def test_the_task_runs_on_the_bulk_queue_every_five_minutes(settings):
    from prm.celery import BULK, TASK_ROUTES

    entry = settings.CELERY_BEAT_SCHEDULE["won-revenue-refresh"]
    assert entry["task"] == "deals.tasks.refresh_won_revenue" and entry["schedule"] == 300.0
    assert TASK_ROUTES[entry["task"]]["queue"] == BULK
