"""Each figure of the partner dashboard against a hand-computed history, the rollup's idempotence,
and the rolled-up days equal to the live computation."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from analytics.figures import period_sums
from analytics.kpis import METRICS
from analytics.models import DailyValue, RollupRun
from analytics.periods import dashboard_period
from analytics.selectors import partner_dashboard
from analytics.services import RECENT_DAYS, rollup, rollup_recent
from deals.models import DECISION_KIND, DealStatus
from prm.money.models import ExchangeRate
from prm.sla.models import DeadlineState

from .conftest import days_ago

DAY = datetime.timedelta(days=1)


@pytest.fixture
def solaris_history(world, history):
    """Partner A (program in USD): four registrations submitted 40 days ago, decided ten days later
    (two approved — one then won for 1,000 USD and one lost 20 days ago —, one rejected, one still
    open); a won deal in EUR (100 EUR at 1.10 USD), a won deal in BRL without a rate; four leads
    offered, three accepted after 2, 4 and 6 hours, one converted."""
    a = world["partner_a"]
    d1, d2, d3 = days_ago(40), days_ago(30), days_ago(20)
    history.deal(a, submitted=d1, status=DealStatus.WON, decided=d2, closed=d3, currency="USD", final=Decimal(1000))
    history.deal(a, submitted=d1, status=DealStatus.LOST, decided=d2, closed=d3, currency="USD")
    rejected = history.deal(a, submitted=d1, status=DealStatus.REJECTED, decided=d2)
    history.deal(a, submitted=d1)
    history.deal(a, submitted=d1, status=DealStatus.WON, decided=d2, closed=d3, currency="EUR", final=Decimal(100))
    history.deal(a, submitted=d1, status=DealStatus.WON, decided=d2, closed=d3, currency="BRL", final=Decimal(500))
    ExchangeRate.objects.create(date=d3, currency="USD", rate=Decimal("1.10"))
    for hours in (2, 4, 6):
        history.offer(a, offered=d1, accepted=True, hours_to_accept=hours, converted=d2 if hours == 2 else None)
    history.offer(a, offered=d1)
    # Lead clocks: two missed and one met in the period, one missed the day before it, another
    # partner's missed clock.
    history.clock(a, closed=d1)
    history.clock(a, closed=days_ago(60), hour=0)
    history.clock(a, closed=d2, state=DeadlineState.MET)
    history.clock(a, closed=days_ago(61), hour=23)
    history.clock(world["partner_b"], closed=d1)
    # The channel team's decision clocks: three decisions in time, one late, in the period.
    for state in (DeadlineState.MET, DeadlineState.MET, DeadlineState.MET, DeadlineState.BREACHED):
        history.clock(a, closed=d2, state=state, kind=DECISION_KIND, target=rejected)
    return a


def figures(partner, since, until):
    data = partner_dashboard(partner, dashboard_period("custom", since.isoformat(), until.isoformat()))
    return {row.key: row.value for row in data["kpis"]}, data


@pytest.mark.django_db
@pytest.mark.parametrize("rolled", [False, True])
def test_each_figure_against_the_hand_computed_history(solaris_history, rolled):
    if rolled:
        rollup(since=days_ago(60), until=days_ago(1))
    values, data = figures(solaris_history, days_ago(60), days_ago(0))
    assert values == {
        "submitted": 6,
        "approved": 4,  # the two won deals count as approved on the day they were
        "won": 3,
        "lost": 1,
        "win_rate": Decimal("75.0"),  # 3 won of 4 closed
        "won_revenue": Decimal("1110.00"),  # 1,000 USD + 100 EUR × 1.10; the BRL deal has no rate
        "deal_size": Decimal("370.00"),  # over the three priced won deals, the BRL one counted at 0
        "decision_days": Decimal("10.0"),  # 5 decisions, ten days each
        "acceptance_rate": Decimal("75.0"),
        "conversion_rate": Decimal("33.3"),
        "accept_hours": Decimal("4.0"),
        "decision_sla": Decimal("75.0"),  # 3 of 4 decisions within their clock
        "sla_misses": 2,
        "sla_compliance": Decimal("33.3"),  # 1 met of 3
    }
    assert [count for _key, _label, count in data["funnel"]] == [4, 3, 1]
    revenue = dict(data["revenue"])
    assert revenue[days_ago(20).replace(day=1)] == Decimal("1110.00") and sum(revenue.values()) == Decimal("1110.00")


@pytest.mark.django_db
def test_the_previous_period_and_the_change(solaris_history, history):
    history.deal(solaris_history, submitted=days_ago(100))  # in the 60 days before the period
    history.deal(solaris_history, submitted=days_ago(100))
    history.deal(solaris_history, submitted=days_ago(100))
    data = partner_dashboard(
        solaris_history, dashboard_period("custom", days_ago(59).isoformat(), days_ago(0).isoformat())
    )
    submitted = next(row for row in data["kpis"] if row.key == "submitted")
    assert (submitted.value, submitted.previous, submitted.change) == (6, 3, Decimal("100.0"))
    win_rate = next(row for row in data["kpis"] if row.key == "win_rate")
    assert (win_rate.previous, win_rate.change) == (None, None)  # nothing closed before: no comparison


@pytest.mark.django_db
def test_the_rollup_is_idempotent_and_equals_the_live_figures(solaris_history, history):
    history.deal(solaris_history, submitted=days_ago(200))
    since, until = days_ago(365), days_ago(1)
    first = rollup(since=since, until=until)
    rows = sorted(DailyValue.objects.values_list("partner_id", "metric", "day", "value"))
    second = rollup(since=since, until=until)
    assert sorted(DailyValue.objects.values_list("partner_id", "metric", "day", "value")) == rows
    assert first.rows == second.rows == len(rows) > 0
    ids = [solaris_history.pk]
    rolled = period_sums(ids, METRICS, since, until)
    live = period_sums(ids, METRICS, since, until, rolled=since - DAY)  # nothing rolled: every day live
    assert rolled == live and rolled[solaris_history.pk]["deals.registered"] == 7
    # Split anywhere, the rolled days and the live ones add up to the same.
    assert period_sums(ids, METRICS, since, until, rolled=days_ago(25)) == live


@pytest.mark.django_db
def test_a_change_after_the_rollup_shows_once_the_days_are_rebuilt(solaris_history, history):
    rollup(since=days_ago(60), until=days_ago(1))
    history.deal(solaris_history, submitted=days_ago(10))  # a late write to a rolled day
    stale = period_sums([solaris_history.pk], ["deals.registered"], days_ago(60), days_ago(0))
    assert stale[solaris_history.pk]["deals.registered"] == 6
    run = rollup_recent()
    assert (run.since, run.until) == (days_ago(RECENT_DAYS), days_ago(1)) and run.trigger == "task"
    fresh = period_sums([solaris_history.pk], ["deals.registered"], days_ago(60), days_ago(0))
    assert fresh[solaris_history.pk]["deals.registered"] == 7


@pytest.mark.django_db
def test_today_is_read_live(solaris_history, history):
    rollup(since=days_ago(60), until=days_ago(1))
    history.deal(solaris_history, submitted=days_ago(0))
    values, _data = figures(solaris_history, days_ago(60), days_ago(0))
    assert values["submitted"] == 7
    assert not DailyValue.objects.filter(day=days_ago(0)).exists()


@pytest.mark.django_db
def test_the_backfill_command(solaris_history):
    import io

    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("analytics_backfill", "--days", "90", stdout=out)
    run = RollupRun.objects.get()
    assert (run.since, run.until, run.trigger) == (days_ago(90), days_ago(1), "backfill")
    assert f"{run.rows} daily figures" in out.getvalue()
    for arguments in (
        ["--until", days_ago(0).isoformat()],
        ["--since", "2026-13-01"],
        ["--days", "0"],
        ["--days", str(20 * 366 + 1)],  # one day past the bound
        ["--days", "99999999999"],
    ):
        with pytest.raises(CommandError):
            call_command("analytics_backfill", *arguments, stdout=io.StringIO())


@pytest.mark.django_db(transaction=True)
def test_two_workers_rebuilding_the_same_days_queue(world, history):
    a = world["partner_a"]
    for n in range(5):
        history.deal(a, submitted=days_ago(5 + n))
    errors = []

    def run():
        try:
            rollup(since=days_ago(30), until=days_ago(1))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DailyValue.objects.filter(metric="deals.registered").count() == 5
    assert RollupRun.objects.count() == 2
