"""The dashboard's periods and the arithmetic of its figures, at their boundaries."""

import datetime
from decimal import Decimal

import pytest

from analytics import kpis
from analytics.periods import MAX_DAYS, dashboard_period
from prm.errors import ServiceError

D = datetime.date


def test_quarter_to_date_is_compared_with_as_many_days_of_the_previous_quarter():
    period = dashboard_period("qtd", today=D(2026, 5, 15))
    assert (period.since, period.until) == (D(2026, 4, 1), D(2026, 5, 15))
    assert (period.previous_since, period.previous_until) == (D(2026, 1, 1), D(2026, 2, 14))
    # A quarter's 92nd day against a previous quarter of 90: the previous one whole, not beyond.
    longer = dashboard_period("qtd", today=D(2026, 6, 30))
    assert (longer.previous_since, longer.previous_until) == (D(2026, 1, 1), D(2026, 3, 31))
    first = dashboard_period("qtd", today=D(2026, 1, 1))
    assert (first.since, first.until, first.previous_since, first.previous_until) == (
        D(2026, 1, 1),
        D(2026, 1, 1),
        D(2025, 10, 1),
        D(2025, 10, 1),
    )


def test_last_quarter_and_the_one_before():
    period = dashboard_period("last_quarter", today=D(2026, 1, 10))
    assert (period.since, period.until) == (D(2025, 10, 1), D(2025, 12, 31))
    assert (period.previous_since, period.previous_until) == (D(2025, 7, 1), D(2025, 9, 30))


def test_the_last_12_months_end_today_and_survive_29_february():
    period = dashboard_period("12m", today=D(2028, 2, 29))
    assert (period.since, period.until) == (D(2027, 3, 1), D(2028, 2, 29))
    assert (period.previous_since, period.previous_until) == (D(2026, 3, 1), D(2027, 2, 28))
    assert dashboard_period("no-such-key", today=D(2028, 2, 29)) == period  # the default


def test_a_custom_period_at_its_limits():
    today = D(2026, 12, 7)
    exact = dashboard_period(
        "custom", (today - datetime.timedelta(days=MAX_DAYS - 1)).isoformat(), "2026-12-07", today=today
    )
    assert exact.days == MAX_DAYS
    assert (exact.previous_until, exact.previous_until - exact.previous_since) == (
        exact.since - datetime.timedelta(days=1),
        exact.until - exact.since,
    )
    with pytest.raises(ServiceError) as too_long:
        dashboard_period("custom", (today - datetime.timedelta(days=MAX_DAYS)).isoformat(), "2026-12-07", today=today)
    assert too_long.value.field == "since"
    one_day = dashboard_period("custom", "2026-12-07", "2026-12-07", today=today)
    assert (one_day.days, one_day.previous_since, one_day.previous_until) == (1, D(2026, 12, 6), D(2026, 12, 6))
    for since, until, field in (
        ("2026-12-07", "2026-12-08", "until"),  # tomorrow
        ("2026-12-07", "2026-12-06", "until"),  # ends before it starts
        ("", "2026-12-06", "since"),
        ("2026-02-30", "2026-03-01", "since"),
        ("2026-01-01", "01/02/2026", "until"),
    ):
        with pytest.raises(ServiceError) as refused:
            dashboard_period("custom", since, until, today=today)
        assert refused.value.field == field, (since, until)


def test_a_percentile_needs_five_partners_with_a_value():
    assert kpis.percentile(Decimal(10), [Decimal(1)] * 3, higher_is_better=True) is None  # a group of 4
    assert kpis.percentile(Decimal(10), [Decimal(1)] * 4, higher_is_better=True) == 100  # of 5
    assert kpis.percentile(None, [Decimal(1)] * 9, higher_is_better=True) is None
    assert kpis.percentile(Decimal(0), [Decimal(1)] * 4, higher_is_better=True) == 0
    # Ties count half; a duration is better when shorter.
    assert kpis.percentile(Decimal(5), [Decimal(5), Decimal(5), Decimal(1), Decimal(9)], higher_is_better=True) == 50
    assert kpis.percentile(Decimal(2), [Decimal(1), Decimal(3), Decimal(4), Decimal(5)], higher_is_better=False) == 75


def test_changes_are_points_for_rates_and_relative_otherwise():
    assert kpis.change(Decimal(30), Decimal(25), kpis.PERCENT) == Decimal("5.0")
    assert kpis.change(Decimal(150), Decimal(100), kpis.COUNT) == Decimal("50.0")
    assert kpis.change(Decimal(50), Decimal(100), kpis.MONEY) == Decimal("-50.0")
    assert kpis.change(Decimal(5), Decimal(0), kpis.COUNT) is None  # nothing to compare with
    assert kpis.change(None, Decimal(3), kpis.COUNT) is None


def test_a_ratio_without_a_denominator_has_no_value():
    win_rate = next(d for d in kpis.DEFINITIONS if d.key == "win_rate")
    assert win_rate.read({}) is None
    assert win_rate.read({"deals.won": Decimal(3), "deals.lost": Decimal(1)}) == Decimal(75)
    decision = next(d for d in kpis.DEFINITIONS if d.key == "decision_days")
    assert decision.read({"deals.decision_seconds": Decimal(86400 * 3), "deals.decided": Decimal(2)}) == Decimal("1.5")
