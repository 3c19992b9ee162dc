"""A partner's history: its main figures month by month over the last 24 months, read from the
rolled-up days (``analytics.figures.monthly_table``; the days the rollup has not reached yet live),
and two of those months side by side."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError

from . import kpis
from .figures import month_starts, monthly_table, today

MONTHS = 24
_DEFINITIONS = {definition.key: definition for definition in kpis.DEFINITIONS}


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: str
    read: object  # {metric: sum} -> value (None: no value, a rate without a denominator)
    higher_is_better: bool = True


def _kpi(key: str) -> Column:
    definition = _DEFINITIONS[key]
    return Column(key, definition.label, definition.unit, definition.read, definition.higher_is_better)


def _leads(step: str, metric: str) -> Column:
    return Column(step, kpis.FUNNEL_LABELS[step], kpis.COUNT, lambda values: values.get(metric, Decimal(0)))


COLUMNS: tuple[Column, ...] = (
    _kpi("submitted"),
    _kpi("approved"),
    _kpi("won"),
    _kpi("lost"),
    _kpi("won_revenue"),
    _kpi("win_rate"),
    _leads("offered", "leads.offered"),
    _leads("accepted", "leads.accepted"),
    _leads("converted", "leads.converted"),
)
METRICS = (
    "deals.registered",
    "deals.approved",
    "deals.won",
    "deals.lost",
    "deals.won_revenue",
    "leads.offered",
    "leads.accepted",
    "leads.converted",
)


@dataclass(frozen=True)
class Month:
    start: datetime.date  # the first day of the month
    values: dict  # {column key: value rounded to its unit, or None}
    to_date: bool  # the current month, not over yet

    @property
    def key(self) -> str:
        return self.start.isoformat()[:7]


def partner_history(partner, *, until: datetime.date | None = None, months: int = MONTHS) -> list[Month]:
    """The partner's figures of each of the ``months`` months up to ``until`` (today), newest first.
    A constant number of queries whatever the months and the data (``monthly_table``)."""
    until = until or today()
    table = monthly_table([partner.pk], METRICS, until, months)
    rows = [
        Month(
            start=start,
            values={column.key: kpis.rounded(column.read(sums), column.unit) for column in COLUMNS},
            to_date=start == until.replace(day=1),
        )
        for start, sums in table.items()
    ]
    return rows[::-1]


_MONTH = re.compile(r"(\d{4})-(\d{2})")


def parse_month(value: str, field: str, *, until: datetime.date | None = None, months: int = MONTHS):
    """The first day of the month ``value`` (``YYYY-MM``), one of the ``months`` months up to
    ``until``'s; ServiceError otherwise (not a month, a month to come, an older one)."""
    until = until or today()
    match = _MONTH.fullmatch((value or "").strip())
    if match is None or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1:
        raise ServiceError(_("Enter a month as YYYY-MM, for example 2026-03."), field=field)
    month = datetime.date(int(match[1]), int(match[2]), 1)
    shown = month_starts(until, months)
    if month > shown[-1]:
        raise ServiceError(_("The month cannot be after this month."), field=field)
    if month < shown[0]:
        raise ServiceError(
            _("Choose one of the last %(months)s months.") % {"months": months},
            field=field,
        )
    return month


def default_pair(*, until: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The months compared by default: the last month over and the one before it."""
    shown = month_starts(until or today(), 3)
    return shown[0], shown[1]


def compared_months(params, *, until: datetime.date | None = None):
    """``(a, b, error)``: the months asked for (``a``, ``b``, each ``YYYY-MM``; an empty one reads
    as its default), or the defaults with the first error that refused one."""
    default_a, default_b = default_pair(until=until)
    try:
        a = parse_month(params["a"], "a", until=until) if params.get("a") else default_a
        b = parse_month(params["b"], "b", until=until) if params.get("b") else default_b
    except ServiceError as error:
        return default_a, default_b, error
    return a, b, None


@dataclass(frozen=True)
class Comparison:
    key: str
    label: str
    unit: str
    a: Decimal | None
    b: Decimal | None
    change: Decimal | None  # from month A to month B (percentage points for a rate)
    higher_is_better: bool


def compare(history: list[Month], a: datetime.date, b: datetime.date) -> list[Comparison]:
    """Each figure of month ``a`` beside month ``b``'s, with the change from A to B."""
    by_month = {month.start: month.values for month in history}
    first, second = by_month[a], by_month[b]
    return [
        Comparison(
            key=column.key,
            label=column.label,
            unit=column.unit,
            a=first[column.key],
            b=second[column.key],
            change=kpis.change(second[column.key], first[column.key], column.unit),
            higher_is_better=column.higher_is_better,
        )
        for column in COLUMNS
    ]
