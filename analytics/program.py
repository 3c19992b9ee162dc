"""The program dashboard of vendor staff: the figures of the partners in their scope (a CAM's
portfolio, every partner for channel managers and executives), by country and tier, and a ranking.

The ranking's score is documented and configurable (``settings.ANALYTICS_RANKING_WEIGHTS``): each
component is a figure of the period, and a partner's score is the weighted mean of its percentiles
among the partners ranked (0–100; a partner without a value for a component — no revenue the
period before, nothing closed — counts 0 for it). The reasons of a rank are those percentiles.
"""

from __future__ import annotations

import bisect
import hashlib
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from deals.selectors import first_won_by_partner
from partners.selectors import all_partner_ids, partner_ids_visible, partners_by_ids
from prm.countries import country_name

from . import kpis
from .cohorts import cohorts
from .figures import rollup_state
from .peers import kept, kpi_values, member_sums
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
    """Each partner's share of the others it does better than (ties half; a partner without a value
    is below every value), 0 without a value; sorted once (two thousand partners: a comparison of
    each with each would take seconds)."""
    present = sorted(value for value in values.values() if value is not None)
    missing = len(values) - len(present)
    others = max(len(values) - 1, 1)
    result = {}
    for partner_id, value in values.items():
        if value is None:
            result[partner_id] = 0
            continue
        below = bisect.bisect_left(present, value) + missing
        ties = bisect.bisect_right(present, value) - below - 1
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
    reasons: list  # [(label, percentile)]


def _totals(sums_by_partner) -> dict:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for sums in sums_by_partner:
        for metric, value in sums.items():
            if metric in kpis.METRICS:
                totals[metric] += Decimal(value)
    return totals


def program_dashboard(user, period: DashboardPeriod, *, ranked: int = 25, filters: dict | None = None) -> dict:
    """The figures of the staff user's partners over the period against the previous one, by country
    and tier, and the first ``ranked`` of the ranking (every partner with 0), on the rolled-up days
    (up to yesterday once the hourly task has run: the program's figures are read as of the
    rollup's last day). Kept in the cache under the scope, the period, the rollup run and the
    language, and computed by the task for every partner's scope and the standard periods: a visit
    reads the scope's ids, the rollup's state and the kept view.

    ``filters`` (``analytics.filters``: a country, a tier id) narrow the scope's partners; they are
    part of the cache's key as well as the ids they leave."""
    filters = filters or {}
    ids = partner_ids_visible(user, country=filters.get("country", ""), tier_id=filters.get("tier"))
    return program_view(ids, period, ranked=ranked, filters=filters)


def program_view(partner_ids, period: DashboardPeriod, *, ranked: int = 25, filters: dict | None = None) -> dict:
    """``program_dashboard`` of the partners ``partner_ids`` (the scope narrowed by ``filters``)."""
    ids = tuple(sorted(partner_ids))
    state = rollup_state()
    chosen = sorted((filters or {}).items())
    key = (
        "analytics:program:"
        + hashlib.blake2b(
            f"{ids}|{chosen}|{period}|{state[1]}|{get_language()}|{sorted(weights().items())}".encode(),
            digest_size=16,
        ).hexdigest()
    )
    view = kept(key, lambda: _program_view(ids, period, state))
    return {**view, "ranking": view["ranking"][:ranked] if ranked else view["ranking"]}


def _program_view(ids, period: DashboardPeriod, state) -> dict:
    partners = list(partners_by_ids(ids))
    now = member_sums(ids, period.since, period.until, state)
    before = member_sums(ids, period.previous_since, period.previous_until, state)
    totals, previous_totals = _totals(now.values()), _totals(before.values())
    rows = []
    for definition in kpis.DEFINITIONS:
        value, previous = definition.read(totals), definition.read(previous_totals)
        rows.append(
            {
                "key": definition.key,
                "label": str(definition.label),
                "unit": definition.unit,
                "value": kpis.rounded(value, definition.unit),
                "previous": kpis.rounded(previous, definition.unit),
                "change": kpis.change(value, previous, definition.unit),
                "higher_is_better": definition.higher_is_better,
            }
        )
    active = sum(1 for pid in ids if any(now.get(pid, {}).get(metric) for metric in kpis.METRICS))
    by_country: dict[str, Decimal] = defaultdict(Decimal)
    by_tier: dict[str, Decimal] = defaultdict(Decimal)
    for partner in partners:
        revenue = now.get(partner.pk, {}).get("deals.won_revenue", Decimal(0))
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
        "ranking": ranking(partners, now, before),
        "cohorts": cohorts(partners, first_won_by_partner(ids)),
        "weights": [(str(COMPONENTS[name][0]), weight) for name, weight in weights().items()],
        "currency": partners[0].program.currency if partners else "",
        "rolled_until": state[0],
    }


def warm(today) -> int:
    """Compute and keep the program view of every partner (the channel managers' and executives' scope)
    for the standard periods, in each language; how many."""
    from django.conf import settings as django_settings
    from django.utils import translation

    from .periods import CHOICES, dashboard_period

    everyone = all_partner_ids()
    count = 0
    for language, _name in django_settings.LANGUAGES:
        with translation.override(language):
            for key, _label in CHOICES:
                if key != "custom":
                    program_view(everyone, dashboard_period(key, today=today))
                    count += 1
    return count


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
        reasons = [(str(COMPONENTS[name][0]), components[name][partner.pk]) for name in chosen]
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
