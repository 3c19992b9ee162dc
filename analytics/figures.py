"""Sums of the metrics over a span of days: the rolled-up days from ``DailyValue``, the days the rollup
has not reached yet (today, at least) live from the metrics' daily selectors, so that a figure is
never older than the data and both parts round alike (each day's converted revenue to the cent).

Days are those of ``settings.TIME_ZONE`` whatever the reader's zone (the rollup's days). A constant
number of queries: one for the rolled days, one or two a metric for the live ones.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from prm.metrics import Period, is_metric, metric_daily_values

from .models import DailyValue, RollupRun


def today() -> datetime.date:
    with timezone.override(timezone.get_default_timezone()):
        return timezone.localdate()


def rolled_until() -> datetime.date | None:
    """The last day the rollup has written (days after it are read live)."""
    return rollup_state()[0]


def rollup_state() -> tuple[datetime.date | None, str]:
    """The last day the rollup has written and a token that changes with every run (one query)."""
    state = RollupRun.objects.aggregate(last=Max("until"), finished=Max("finished_at"))
    return state["last"], state["finished"].isoformat() if state["finished"] else ""


def _live(metrics, partner_ids, since, until):
    with timezone.override(timezone.get_default_timezone()):
        for metric in metrics:
            if is_metric(metric):
                for (partner_id, day), value in metric_daily_values(metric, partner_ids, Period(since, until)).items():
                    yield metric, partner_id, day, Decimal(value)


def period_sums(partner_ids, metrics, since: datetime.date, until: datetime.date, *, rolled=None) -> dict:
    """``{partner_id: {metric: sum}}`` over ``since``–``until`` (metrics without a value are absent)."""
    ids = sorted(set(partner_ids))
    sums: dict[int, dict[str, Decimal]] = defaultdict(dict)
    if not ids or until < since:
        return sums
    rolled = rolled_until() if rolled is None else rolled
    if rolled is not None and since <= rolled:
        rows = (
            DailyValue.objects.filter(
                partner_id__in=ids, metric__in=list(metrics), day__gte=since, day__lte=min(until, rolled)
            )
            .values("partner_id", "metric")
            .annotate(total=Sum("value"))
            .order_by()
            .values_list("partner_id", "metric", "total")
        )
        for partner_id, metric, total in rows:
            sums[partner_id][metric] = total
    live_since = since if rolled is None else max(since, rolled + datetime.timedelta(days=1))
    if live_since <= until:
        for metric, partner_id, _day, value in _live(metrics, ids, live_since, until):
            sums[partner_id][metric] = sums[partner_id].get(metric, Decimal(0)) + value
    return sums


def month_starts(until: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the ``months`` months ending with ``until``'s, oldest first."""
    index = until.year * 12 + until.month - 1
    return [datetime.date(m // 12, m % 12 + 1, 1) for m in range(index - months + 1, index + 1)]


def monthly_table(partner_ids, metrics, until: datetime.date, months: int = 12, *, rolled=None) -> dict:
    """``{first day of the month: {metric: sum}}`` of ``metrics`` for the ``months`` months up to
    ``until``, oldest first, every month and metric present (0 without a value). One query for the
    rolled days, whatever the number of metrics and months, and the live days as ``period_sums``."""
    starts = month_starts(until, months)
    since = starts[0]
    metrics = list(metrics)
    table = {start: dict.fromkeys(metrics, Decimal(0)) for start in starts}
    ids = sorted(set(partner_ids))
    rolled = rolled_until() if rolled is None else rolled
    if ids and metrics and rolled is not None and since <= rolled:
        rows = (
            DailyValue.objects.filter(
                partner_id__in=ids, metric__in=metrics, day__gte=since, day__lte=min(until, rolled)
            )
            .annotate(month=TruncMonth("day"))
            .values("month", "metric")
            .annotate(total=Sum("value"))
            .order_by()
            .values_list("month", "metric", "total")
        )
        for month, metric, total in rows:
            table[month][metric] += total
    live_since = since if rolled is None else max(since, rolled + datetime.timedelta(days=1))
    if ids and live_since <= until:
        for metric, _partner, day, value in _live(metrics, ids, live_since, until):
            table[day.replace(day=1)][metric] += value
    return table


def monthly_sums(partner_ids, metric: str, until: datetime.date, months: int = 12, *, rolled=None) -> list:
    """``[(first day of the month, sum)]`` of ``metric`` for the ``months`` months up to ``until``."""
    table = monthly_table(partner_ids, [metric], until, months, rolled=rolled)
    return [(month, values[metric]) for month, values in table.items()]
