"""The program dashboard of vendor staff: the figures of the partners in their scope (a CAM's
portfolio, every partner for channel managers and executives), by country and tier, and a ranking.

The ranking's score is documented and configurable (``settings.ANALYTICS_RANKING_WEIGHTS``): each
component is a figure of the period, and a partner's score is the weighted mean of its percentiles
among the partners ranked (0–100; a partner without a value for a component — no revenue the
period before, nothing closed — counts 0 for it). The reasons of a rank are those percentiles.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from partners.selectors import partners_visible
from prm.countries import country_name

from . import kpis
from .figures import period_sums, rollup_state
from .peers import kpi_values, member_sums
from .periods import DashboardPeriod

COMPONENTS = {
    "revenue": (_("Won revenue"), lambda now, before: now.get("won_revenue")),
    "growth": (_("Revenue growth"), lambda now, before: _growth(now.get("won_revenue"), before.get("won_revenue"))),
    "registrations": (_("Registrations submitted"), lambda now, before: now.get("submitted")),
    "win_rate": (_("Win rate"), lambda now, before: now.get("win_rate")),
    "acceptance": (_("Lead acceptance rate"), lambda now, before: now.get("acceptance_rate")),
}
DEFAULT_WEIGHTS = {"revenue": 40, "growth": 20, "registrations": 20, "win_rate": 10, "acceptance": 10}


def _growth(now, before):
    if now is None or not before:
        return None
    return (now - before) * 100 / before


def weights() -> dict[str, int]:
    configured = getattr(settings, "ANALYTICS_RANKING_WEIGHTS", None) or DEFAULT_WEIGHTS
    return {name: weight for name, weight in configured.items() if name in COMPONENTS and weight > 0}


def _percentiles(values: dict[int, Decimal | None]) -> dict[int, int]:
    """Each partner's share of the others it does better than (ties half), 0 without a value."""
    present = [value for value in values.values() if value is not None]
    others = max(len(values) - 1, 1)
    result = {}
    for partner_id, value in values.items():
        if value is None:
            result[partner_id] = 0
            continue
        below = sum(1 for other in present if other < value)
        ties = sum(1 for other in present if other == value) - 1
        result[partner_id] = int((Decimal(below) + Decimal(ties) / 2) * 100 / others + Decimal("0.5"))
    return result


@dataclass(frozen=True)
class Ranked:
    rank: int
    partner_id: int
    name: str
    country: str
    tier: str
    score: int
    reasons: list  # [(label, percentile, value)]


def _totals(sums_by_partner) -> dict:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for sums in sums_by_partner:
        for metric, value in sums.items():
            if metric in kpis.METRICS:
                totals[metric] += Decimal(value)
    return totals


def program_dashboard(user, period: DashboardPeriod, *, ranked: int = 25) -> dict:
    """The figures of the staff user's partners over the period against the previous one, by country
    and tier, and the first ``ranked`` of the ranking. A constant number of queries."""
    partners = list(partners_visible(user))
    ids = [partner.pk for partner in partners]
    state = rollup_state()
    rolled = state[0]
    now = member_sums(ids, period.since, period.until, state)
    before = member_sums(ids, period.previous_since, period.previous_until, state)
    # Today (the days the rollup has not reached) for the program's totals, live.
    live_since = period.since if rolled is None else max(period.since, rolled + datetime.timedelta(days=1))
    live = period_sums(ids, kpis.METRICS, live_since, period.until, rolled=rolled) if live_since <= period.until else {}
    current = {pid: dict(now.get(pid, {})) for pid in ids}
    for pid, sums in live.items():
        for metric, value in sums.items():
            current[pid][metric] = current[pid].get(metric, Decimal(0)) + value
    totals, previous_totals = _totals(current.values()), _totals(before.values())
    rows = []
    for definition in kpis.DEFINITIONS:
        value, previous = definition.read(totals), definition.read(previous_totals)
        rows.append(
            {
                "key": definition.key,
                "label": definition.label,
                "unit": definition.unit,
                "value": kpis.rounded(value, definition.unit),
                "previous": kpis.rounded(previous, definition.unit),
                "change": kpis.change(value, previous, definition.unit),
                "higher_is_better": definition.higher_is_better,
            }
        )
    active = sum(1 for pid in ids if any(current[pid].get(metric) for metric in kpis.METRICS))
    by_country: dict[str, Decimal] = defaultdict(Decimal)
    by_tier: dict[str, Decimal] = defaultdict(Decimal)
    for partner in partners:
        revenue = current[partner.pk].get("deals.won_revenue", Decimal(0))
        by_country[partner.country] += revenue
        by_tier[str(partner.tier) if partner.tier_id else str(_("No tier"))] += revenue
    return {
        "kpis": rows,
        "partners": len(ids),
        "active": active,
        "countries": sorted(
            ((code, country_name(code), value) for code, value in by_country.items()), key=lambda row: -row[2]
        ),
        "tiers": sorted(by_tier.items(), key=lambda row: -row[1]),
        "ranking": ranking(partners, now, before)[:ranked] if ranked else ranking(partners, now, before),
        "weights": [(COMPONENTS[name][0], weight) for name, weight in weights().items()],
        "currency": partners[0].program.currency if partners else "",
        "rolled_until": rolled,
    }


def ranking(partners, now: dict, before: dict) -> list[Ranked]:
    """Every partner ranked by its score, the best first (ties by name)."""
    figures_now = {partner.pk: kpi_values(now.get(partner.pk, {})) for partner in partners}
    figures_before = {partner.pk: kpi_values(before.get(partner.pk, {})) for partner in partners}
    chosen = weights()
    total = sum(chosen.values()) or 1
    components = {
        name: _percentiles(
            {
                partner.pk: COMPONENTS[name][1](figures_now[partner.pk], figures_before[partner.pk])
                for partner in partners
            }
        )
        for name in chosen
    }
    scored = []
    for partner in partners:
        score = sum(components[name][partner.pk] * weight for name, weight in chosen.items()) / total
        reasons = [
            (
                COMPONENTS[name][0],
                components[name][partner.pk],
                COMPONENTS[name][1](figures_now[partner.pk], figures_before[partner.pk]),
            )
            for name in chosen
        ]
        scored.append((round(score), partner, reasons))
    scored.sort(key=lambda item: (-item[0], item[1].name, item[1].pk))
    return [
        Ranked(
            rank=n + 1,
            partner_id=partner.pk,
            name=partner.name,
            country=country_name(partner.country),
            tier=str(partner.tier) if partner.tier_id else "",
            score=score,
            reasons=reasons,
        )
        for n, (score, partner, reasons) in enumerate(scored)
    ]
