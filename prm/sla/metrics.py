"""Clocks as figures (``prm.metrics``): how many of a partner's clocks of some kinds closed met, or
missed, each day. The apps register them under their own names (``leads.sla_missed``,
``deals.decisions_late``…), one query per metric however many partners are asked for."""

from __future__ import annotations

from django.db.models import Count
from django.db.models.functions import TruncDate

from prm.metrics import Period

from .models import Deadline


def _closed(kinds, partner_ids: list[int], period: Period, state: str):
    return Deadline.objects.filter(period.moments("closed_at"), kind__in=kinds, partner_id__in=partner_ids, state=state)


def clock_counts(kinds: tuple[str, ...], state: str):
    """``(selector, daily selector)`` of the clocks of ``kinds`` that closed in ``state`` (met or
    breached), by the day they closed in the current time zone."""

    def selector(partner_ids: list[int], period: Period) -> dict[int, int]:
        rows = _closed(kinds, partner_ids, period, state).values("partner_id").annotate(n=Count("pk")).order_by()
        return dict(rows.values_list("partner_id", "n"))

    def daily(partner_ids: list[int], period: Period) -> dict:
        rows = (
            _closed(kinds, partner_ids, period, state)
            .annotate(day=TruncDate("closed_at"))
            .values("partner_id", "day")
            .annotate(n=Count("pk"))
            .order_by()
            .values_list("partner_id", "day", "n")
        )
        return {(partner_id, day): n for partner_id, day, n in rows}

    return selector, daily
