"""The partner dashboard's key figures: what each is made of, its value over a period, the change
against the previous period, and where the partner stands among its peers.

A figure is a sum of metrics (``analytics.figures``) or a ratio of two; a ratio without a
denominator (no deal closed, no lead offered) has no value, shown as a dash, never as 0 %.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

COUNT, MONEY, PERCENT, DAYS, HOURS = "count", "money", "percent", "days", "hours"
MIN_PEERS = 5  # a percentile among fewer partners would say too much about each of them


def _sum(metric: str) -> Callable[[dict], Decimal | None]:
    return lambda values: values.get(metric, Decimal(0))


def _ratio(numerator: str, *denominators: str, scale: Decimal = Decimal(1)) -> Callable[[dict], Decimal | None]:
    def read(values: dict) -> Decimal | None:
        below = sum((values.get(name, Decimal(0)) for name in denominators), Decimal(0))
        if not below:
            return None
        return values.get(numerator, Decimal(0)) * scale / below

    return read


@dataclass(frozen=True)
class KpiDefinition:
    key: str
    label: str
    unit: str
    read: Callable[[dict], Decimal | None]
    metrics: tuple[str, ...]
    higher_is_better: bool = True
    drill: str = ""  # the partner's list behind the figure (a URL name and its query)


DEFINITIONS: tuple[KpiDefinition, ...] = (
    KpiDefinition(
        "submitted",
        _("Registrations submitted"),
        COUNT,
        _sum("deals.registered"),
        ("deals.registered",),
        drill="deal_list",
    ),
    KpiDefinition(
        "approved", _("Registrations approved"), COUNT, _sum("deals.approved"), ("deals.approved",), drill="deal_list"
    ),
    KpiDefinition("won", _("Deals won"), COUNT, _sum("deals.won"), ("deals.won",), drill="deal_list?status=won"),
    KpiDefinition("lost", _("Deals lost"), COUNT, _sum("deals.lost"), ("deals.lost",), False, "deal_list?status=lost"),
    KpiDefinition(
        "win_rate",
        _("Win rate"),
        PERCENT,
        _ratio("deals.won", "deals.won", "deals.lost", scale=Decimal(100)),
        ("deals.won", "deals.lost"),
    ),
    KpiDefinition(
        "won_revenue",
        _("Won revenue"),
        MONEY,
        _sum("deals.won_revenue"),
        ("deals.won_revenue",),
        drill="deal_list?status=won",
    ),
    KpiDefinition(
        "deal_size",
        _("Average deal size"),
        MONEY,
        _ratio("deals.won_revenue", "deals.won_priced"),
        ("deals.won_revenue", "deals.won_priced"),
    ),
    KpiDefinition(
        "decision_days",
        _("Average time to a decision"),
        DAYS,
        _ratio("deals.decision_seconds", "deals.decided", scale=Decimal(1) / Decimal(86400)),
        ("deals.decision_seconds", "deals.decided"),
        higher_is_better=False,
    ),
    KpiDefinition(
        "acceptance_rate",
        _("Lead acceptance rate"),
        PERCENT,
        _ratio("leads.accepted", "leads.offered", scale=Decimal(100)),
        ("leads.accepted", "leads.offered"),
        drill="lead_inbox",
    ),
    KpiDefinition(
        "conversion_rate",
        _("Lead conversion rate"),
        PERCENT,
        _ratio("leads.converted", "leads.accepted", scale=Decimal(100)),
        ("leads.converted", "leads.accepted"),
        drill="lead_inbox?status=converted",
    ),
    KpiDefinition(
        "decision_sla",
        _("Decisions within their clock"),
        PERCENT,
        _ratio("deals.decisions_on_time", "deals.decisions_on_time", "deals.decisions_late", scale=Decimal(100)),
        ("deals.decisions_on_time", "deals.decisions_late"),
    ),
    KpiDefinition(
        "sla_misses",
        _("Lead clocks missed"),
        COUNT,
        _sum("leads.sla_missed"),
        ("leads.sla_missed",),
        higher_is_better=False,
    ),
    KpiDefinition(
        "sla_compliance",
        _("Lead clocks met in time"),
        PERCENT,
        _ratio("leads.sla_met", "leads.sla_met", "leads.sla_missed", scale=Decimal(100)),
        ("leads.sla_met", "leads.sla_missed"),
    ),
)

METRICS = tuple(sorted({metric for definition in DEFINITIONS for metric in definition.metrics}))


def rounded(value: Decimal | None, unit: str) -> Decimal | None:
    if value is None:
        return None
    places = {COUNT: Decimal(1), MONEY: Decimal("0.01")}.get(unit, Decimal("0.1"))
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def change(current: Decimal | None, previous: Decimal | None, unit: str) -> Decimal | None:
    """Against the previous period: percentage points for a rate, a relative change (in %) otherwise;
    None when there is nothing to compare with."""
    if current is None or previous is None:
        return None
    if unit == PERCENT:
        return rounded(current - previous, PERCENT)
    if not previous:
        return None
    return rounded((current - previous) * 100 / previous, PERCENT)


def percentile(mine: Decimal | None, peers: list[Decimal], *, higher_is_better: bool) -> int | None:
    """The share of the other partners of the group that the partner does better than (ties count
    half), in whole percents; None for a group of fewer than ``MIN_PEERS`` partners with a value,
    the partner included, or without a value of the partner's own."""
    if mine is None or len(peers) + 1 < MIN_PEERS:
        return None
    below = sum(1 for value in peers if (value < mine if higher_is_better else value > mine))
    ties = sum(1 for value in peers if value == mine)
    return int((Decimal(below) + Decimal(ties) / 2) * 100 / len(peers) + Decimal("0.5"))


LEAD_ACCEPT_LABEL = _("Median time to accept a lead")
FUNNEL_LABELS = {"offered": _("Leads offered"), "accepted": _("Leads accepted"), "converted": _("Leads converted")}


def hours(seconds) -> Decimal:
    return Decimal(str(seconds)) / Decimal(3600)
