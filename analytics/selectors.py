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
from .figures import monthly_sums, period_sums, rollup_state, today
from .peers import ACCEPT, peer_values
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


def _accept_hours(partner, period: DashboardPeriod, others) -> KpiRow:
    """The median time to accept a lead, read live (a median is not a sum of days)."""
    current = median_seconds_to_accept([partner.pk], Period(period.since, period.until))
    previous = median_seconds_to_accept([partner.pk], Period(period.previous_since, period.previous_until))

    def hours(seconds):
        return None if seconds is None else kpis.hours(seconds)

    definition = kpis.KpiDefinition(
        ACCEPT, kpis.LEAD_ACCEPT_LABEL, kpis.HOURS, lambda _v: None, (), higher_is_better=False
    )
    return _row(definition, hours(current.get(partner.pk)), hours(previous.get(partner.pk)), others)


def partner_dashboard(partner, period: DashboardPeriod) -> dict:
    """The dashboard of one partner: its key figures over the period with the change against the
    previous one and its percentile among its peers (on their rolled-up days, ``analytics.peers``), the monthly won revenue of the last 12 months,
    its open pipeline by stage, and its lead funnel. A constant number of queries."""
    group = peer_group(partner)
    state = rollup_state()
    rolled = state[0]
    current = period_sums([partner.pk], kpis.METRICS, period.since, period.until, rolled=rolled)
    previous = period_sums([partner.pk], kpis.METRICS, period.previous_since, period.previous_until, rolled=rolled)
    mine, before = current.get(partner.pk, {}), previous.get(partner.pk, {})
    others = [
        values
        for member, values in peer_values(group, period.since, period.until, state).items()
        if member != partner.pk
    ]
    rows = [
        _row(
            definition,
            definition.read(mine),
            definition.read(before),
            [values.get(definition.key) for values in others],
        )
        for definition in kpis.DEFINITIONS
    ]
    rows.append(_accept_hours(partner, period, [values.get(ACCEPT) for values in others]))
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
