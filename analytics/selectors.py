"""What the dashboards read, scoped to the viewer (``analytics.access``), through the other apps'
selectors and metrics only."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from deals.selectors import pipeline_by_stage
from leads.selectors import median_seconds_to_accept
from partners.selectors import peer_group
from prm.metrics import Period

from . import kpis
from .figures import monthly_sums, period_sums, rolled_until, today
from .periods import DashboardPeriod

REVENUE_MONTHS = 12


@dataclass(frozen=True)
class KpiRow:
    key: str
    label: str
    unit: str
    value: Decimal | None
    previous: Decimal | None
    change: Decimal | None
    percentile: int | None
    higher_is_better: bool
    drill: str


def _row(definition, mine, previous, peers) -> KpiRow:
    value, before = kpis.rounded(mine, definition.unit), kpis.rounded(previous, definition.unit)
    return KpiRow(
        key=definition.key,
        label=definition.label,
        unit=definition.unit,
        value=value,
        previous=before,
        change=kpis.change(mine, previous, definition.unit),
        percentile=kpis.percentile(
            mine, [value for value in peers if value is not None], higher_is_better=definition.higher_is_better
        ),
        higher_is_better=definition.higher_is_better,
        drill=definition.drill,
    )


def _accept_hours(partner, group, period: DashboardPeriod) -> KpiRow:
    """The median time to accept a lead, read live (a median is not a sum of days)."""
    current = median_seconds_to_accept(group.members, Period(period.since, period.until))
    previous = median_seconds_to_accept([partner.pk], Period(period.previous_since, period.previous_until))
    to_hours = Decimal(1) / Decimal(3600)

    def hours(seconds):
        return None if seconds is None else Decimal(str(seconds)) * to_hours

    definition = kpis.KpiDefinition(
        "accept_hours", kpis.LEAD_ACCEPT_LABEL, kpis.HOURS, lambda _v: None, (), higher_is_better=False
    )
    peers = [hours(current.get(member)) for member in group.members if member != partner.pk]
    return _row(definition, hours(current.get(partner.pk)), hours(previous.get(partner.pk)), peers)


def partner_dashboard(partner, period: DashboardPeriod) -> dict:
    """The dashboard of one partner: its key figures over the period with the change against the
    previous one and its percentile among its peers, the monthly won revenue of the last 12 months,
    its open pipeline by stage, and its lead funnel. A constant number of queries."""
    group = peer_group(partner)
    rolled = rolled_until()
    current = period_sums(group.members, kpis.METRICS, period.since, period.until, rolled=rolled)
    previous = period_sums([partner.pk], kpis.METRICS, period.previous_since, period.previous_until, rolled=rolled)
    mine, before = current.get(partner.pk, {}), previous.get(partner.pk, {})
    rows = [
        _row(
            definition,
            definition.read(mine),
            definition.read(before),
            [definition.read(current.get(member, {})) for member in group.members if member != partner.pk],
        )
        for definition in kpis.DEFINITIONS
    ]
    rows.append(_accept_hours(partner, group, period))
    revenue = monthly_sums([partner.pk], "deals.won_revenue", period.until, REVENUE_MONTHS, rolled=rolled)
    funnel = [
        ("offered", kpis.FUNNEL_LABELS["offered"], int(mine.get("leads.offered", 0))),
        ("accepted", kpis.FUNNEL_LABELS["accepted"], int(mine.get("leads.accepted", 0))),
        ("converted", kpis.FUNNEL_LABELS["converted"], int(mine.get("leads.converted", 0))),
    ]
    return {
        "kpis": rows,
        "peers": group,
        "peers_shown": len(group.members) >= kpis.MIN_PEERS,
        "revenue": revenue,
        "pipeline": pipeline_by_stage(partner, today=today()),
        "funnel": funnel,
        "currency": partner.program.currency,
        "rolled_until": rolled,
    }
