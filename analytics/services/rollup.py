"""The rollup: rebuild the daily figures (``DailyValue``) of a span of days from the registered metrics.

Each metric is rebuilt in a transaction of its own: its rows of the span are deleted and written
again from the metric's daily selector (one or two queries for all partners and the whole span,
``prm.metrics.metric_daily_values``), under a transaction-level advisory lock of the metric, so that
two workers rebuilding overlapping spans queue rather than interleave. A second run writes the
same rows: the rollup is idempotent. Days are those of ``settings.TIME_ZONE`` (the days of the
deal figures, ADR 0015), whatever the caller's active zone.

The beat task rebuilds the trailing ``RECENT_DAYS`` every hour (a deal closed as won with a past
close date changes a past day); older days change only through ``manage.py analytics_backfill``.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import connection, transaction
from django.utils import timezone

from prm.metrics import Period, measured_metrics, metric_daily_values

from ..models import DailyValue, RollupRun

RECENT_DAYS = 92
CHUNK_DAYS = 92  # a backfill reads the metrics a quarter at a time
BATCH = 5000


def _lock_key(metric: str) -> int:
    return int.from_bytes(
        hashlib.blake2b(f"analytics.rollup:{metric}".encode(), digest_size=8).digest(), "big", signed=True
    )


def _partner_ids() -> list[int]:
    from partners.selectors import all_partner_ids

    return all_partner_ids()


def rollup(*, since: datetime.date, until: datetime.date, metrics=None, trigger: str = "task") -> RollupRun:
    """The rollup: rebuild the daily figures from ``since`` to ``until`` (both included) for ``metrics`` (names;
    every measured metric by default); the run, as recorded."""
    if until < since:
        raise ValueError("The span ends before it starts.")
    started = timezone.now()
    names = [metric.name for metric in measured_metrics() if metrics is None or metric.name in metrics]
    partner_ids = _partner_ids()
    written = 0
    with timezone.override(timezone.get_default_timezone()):
        chunk_start = since
        while chunk_start <= until:
            chunk_end = min(until, chunk_start + datetime.timedelta(days=CHUNK_DAYS - 1))
            for name in names:
                written += _rebuild(name, partner_ids, Period(since=chunk_start, until=chunk_end))
            chunk_start = chunk_end + datetime.timedelta(days=1)
    return RollupRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        since=since,
        until=until,
        metrics=names,
        rows=written,
        trigger=trigger,
    )


@transaction.atomic
def _rebuild(name: str, partner_ids: list[int], period: Period) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_key(name)])
    values = metric_daily_values(name, partner_ids, period)
    DailyValue.objects.filter(metric=name, day__gte=period.since, day__lte=period.until).delete()
    DailyValue.objects.bulk_create(
        [
            DailyValue(partner_id=partner_id, day=day, metric=name, value=value)
            for (partner_id, day), value in sorted(values.items())
        ],
        batch_size=BATCH,
    )
    return len(values)


def rollup_recent(*, today: datetime.date | None = None, trigger: str = "task") -> RollupRun:
    """The beat task's run: the trailing ``RECENT_DAYS`` up to yesterday (today is read live)."""
    with timezone.override(timezone.get_default_timezone()):
        today = today or timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)
    run = rollup(since=yesterday - datetime.timedelta(days=RECENT_DAYS - 1), until=yesterday, trigger=trigger)
    from .. import peers, program

    peers.warm(today)
    program.warm(today)
    return run
