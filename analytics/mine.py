""" "My figures": a partner user's own deal registrations over a period, against the previous one
(``deals.selectors.owner_figures``), as the dashboard's key-figure cards show them.

Leads are left out: a lead is offered to and accepted by a partner, not a person (``Lead`` and
``LeadAssignment`` have no partner user who owns them), so a user has no leads of their own.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from deals.selectors import owner_figures
from prm.metrics import Period

from . import kpis
from .figures import today
from .periods import DashboardPeriod
from .selectors import KpiRow

_LABELS = {definition.key: definition.label for definition in kpis.DEFINITIONS}
# The figures of "My figures": (key, label, unit, read of a span's figures, higher is better).
FIGURES = (
    ("submitted", _LABELS["submitted"], kpis.COUNT, lambda f: f["submitted"], True),
    ("approved", _LABELS["approved"], kpis.COUNT, lambda f: f["approved"], True),
    ("won", _LABELS["won"], kpis.COUNT, lambda f: f["won"], True),
    ("lost", _LABELS["lost"], kpis.COUNT, lambda f: f["lost"], False),
    (
        "win_rate",
        _LABELS["win_rate"],
        kpis.PERCENT,
        lambda f: Decimal(f["won"]) * 100 / (f["won"] + f["lost"]) if f["won"] + f["lost"] else None,
        True,
    ),
    ("won_revenue", _LABELS["won_revenue"], kpis.MONEY, lambda f: f["won_revenue"], True),
)
PIPELINE_COUNT_LABEL = _("Open registrations today")
PIPELINE_AMOUNT_LABEL = _("Open pipeline today")


def _row(key, label, unit, value, previous, higher_is_better) -> KpiRow:
    return KpiRow(
        key=key,
        label=label,
        unit=unit,
        value=kpis.rounded(value, unit),
        previous=kpis.rounded(previous, unit),
        change=kpis.change(value, previous, unit),
        percentile=None,
        higher_is_better=higher_is_better,
        drill="",
    )


def my_figures(membership, period: DashboardPeriod) -> dict:
    """The figures of the partner user of ``membership``, their own registrations at their partner
    only: never a colleague's. A constant number of queries (``owner_figures``)."""
    partner = membership.partner
    currency = partner.program.currency
    data = owner_figures(
        membership.user_id,
        partner.pk,
        [Period(period.since, period.until), Period(period.previous_since, period.previous_until)],
        currency=currency,
        today=today(),
    )
    mine, before = data["spans"]
    rows = [_row(key, label, unit, read(mine), read(before), better) for key, label, unit, read, better in FIGURES]
    pipeline = data["pipeline"]
    rows.append(_row("pipeline_count", PIPELINE_COUNT_LABEL, kpis.COUNT, pipeline["count"], None, True))
    rows.append(_row("pipeline_amount", PIPELINE_AMOUNT_LABEL, kpis.MONEY, pipeline["amount"], None, True))
    return {
        "kpis": rows,
        "currency": currency,
        "missing": sorted(set(mine["missing"]) | set(pipeline["missing"])),
    }
