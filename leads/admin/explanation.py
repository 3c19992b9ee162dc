"""Why this partner? An assignment's recorded explanation as the lead's admin page shows it."""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import AssignmentOutcome, AssignmentStrategy, LeadAssignment

# --- "Why this partner?" ----------------------------------------------------------------------

NEAREST_BASIS = {
    "distance": _("distance between the lead and the partner's location"),
    "same_region": _("same region or state as the lead"),
    "same_country": _("same country as the lead"),
    "elsewhere": _("outside the lead's country (no closer partner)"),
}


def explain_assignment(assignment: LeadAssignment, names: dict[int, str]) -> dict:
    """An assignment's explanation as the page shows it, in the reader's language."""
    data = assignment.explanation or {}
    strategy = assignment.strategy
    reason = data.get("reason") if isinstance(data.get("reason"), dict) else {}
    code = reason.get("code", "")
    winner = assignment.partner.name
    if code == "next_in_turn":
        after = reason.get("after_partner")
        if after:
            why = gettext(
                "%(winner)s was next in turn: the rule's rotation last gave a lead to %(previous)s, and "
                "%(winner)s is the first free candidate after it."
            ) % {"winner": winner, "previous": names.get(after, gettext("partner #%(id)s") % {"id": after})}
        else:
            why = gettext("%(winner)s was first in the rule's rotation (the rule had not placed a lead yet).") % {
                "winner": winner
            }
    elif code == "highest_score":
        why = gettext(
            "%(winner)s had the highest score: lead weight × performance ÷ (2 × open leads + 1), so the "
            "partner least loaded for its weight and results wins."
        ) % {"winner": winner}
    elif code == "nearest":
        basis = NEAREST_BASIS.get(reason.get("basis"), reason.get("basis", ""))
        why = gettext("%(winner)s was the nearest candidate (%(basis)s).") % {"winner": winner, "basis": basis}
    elif code == "manual" or strategy == AssignmentStrategy.MANUAL:
        who = data.get("by") or (assignment.assigned_by.email if assignment.assigned_by else "")
        why = gettext("Assigned by hand by %(who)s.") % {"who": who or gettext("a staff member")}
        if data.get("note") or assignment.note:
            why += " " + gettext("Note: %(note)s") % {"note": data.get("note") or assignment.note}
    else:
        why = gettext("No explanation was recorded for this assignment.")
    columns = {
        AssignmentStrategy.ROUND_ROBIN: [("position", _("Position in the rotation")), ("open_leads", _("Open leads"))],
        AssignmentStrategy.WEIGHTED: [
            ("score", _("Score")),
            ("lead_weight", _("Lead weight")),
            ("performance", _("Performance")),
            ("acceptance", _("Acceptance")),
            ("speed", _("Speed")),
            ("conversion", _("Conversion")),
            ("open_leads", _("Open leads")),
        ],
        AssignmentStrategy.NEAREST: [("basis", _("Basis")), ("distance_km", _("Distance (km)"))],
    }.get(strategy, [])
    candidates = []
    for candidate in data.get("candidates") or []:
        values = []
        for key, _label in columns:
            value = candidate.get(key)
            if key == "basis":
                value = NEAREST_BASIS.get(value, value)
            elif isinstance(value, float):
                value = formats.number_format(value, 4 if key != "distance_km" else 1, use_l10n=True)
            values.append("—" if value is None else value)
        candidates.append(
            {
                "name": candidate.get("name") or names.get(candidate.get("partner"), candidate.get("partner")),
                "is_winner": candidate.get("partner") == assignment.partner_id,
                "values": values,
            }
        )
    excluded = [names.get(pk, gettext("partner #%(id)s") % {"id": pk}) for pk in data.get("excluded") or []]
    skipped = [
        item.get("name") or gettext("rule #%(id)s") % {"id": item.get("rule")}
        for item in data.get("rules_without_candidates") or []
    ]
    rule_name = data.get("rule_name") or (assignment.rule.name if assignment.rule else "")
    return {
        "assignment": assignment,
        "rule": rule_name,
        "strategy": AssignmentStrategy(strategy).label if strategy in AssignmentStrategy.values else strategy,
        "why": why,
        "candidates_count": data.get("candidates_count"),
        "columns": [label for _key, label in columns],
        "candidates": candidates,
        "excluded": excluded,
        "skipped": skipped,
        "is_current": assignment.ended_at is None,
        "outcome": AssignmentOutcome(assignment.outcome).label if assignment.outcome else "",
    }
