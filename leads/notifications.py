"""The notification kinds of lead distribution: what each person is told, in their language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.countries import COUNTRIES

POOL_CAUSES = {
    "max_reassignments": _("it was reassigned the maximum number of times"),
    "no_candidate": _("no other partner matches it"),
}


def _prepare(params: dict) -> dict:
    """Codes stored in the outbox, shown in the language active when it is rendered."""
    shown = dict(params)
    if shown.get("country") in COUNTRIES:
        shown["country"] = COUNTRIES[shown["country"]]
    if shown.get("cause") in POOL_CAUSES:
        shown["cause"] = POOL_CAUSES[shown["cause"]]
    return shown


KINDS = {
    "lead.offered": (
        _("A new lead is offered to my company"),
        _("New lead: {company}"),
        _("A lead from {company} ({country}) is offered to you. Accept or decline it before the clock runs out."),
    ),
    "lead.offered_many": (
        _("New leads are offered to my company"),
        _("{count} new leads await your answer"),
        _("{count} leads are offered to you. Accept or decline each one before its clock runs out."),
    ),
    "lead.acceptance_reminder": (
        _("A lead awaits my answer"),
        # xgettext:no-python-format
        _("{percent}% of the time to answer on {company} has passed"),
        _("Accept or decline the lead from {company}; when the time runs out it goes to another partner."),
    ),
    "lead.recalled": (
        _("A lead is taken away from my company"),
        _("The lead from {company} was reassigned"),
        _("The lead from {company} is no longer assigned to your company."),
    ),
    "lead.returned_to_pool": (
        _("A lead returns to the vendor pool"),
        _("Lead back in the pool: {company}"),
        _("The lead from {company} is back in the vendor pool: {cause}. Assign it by hand or change the rules."),
    ),
    "lead.unmatched": (
        _("Leads find no partner"),
        _("{count} leads found no partner"),
        _("No assignment rule placed {count} leads; they wait in the vendor pool."),
    ),
    "lead.first_contact_reminder": (
        _("An accepted lead awaits first contact"),
        # xgettext:no-python-format
        _("{percent}% of the time to contact {company} has passed"),
        _("Contact {company} and mark the lead contacted on the portal."),
    ),
    "lead.first_contact_late": (
        _("The first contact of my lead is late"),
        _("First contact of {company} is late"),
        _("The time to contact {company} is over; your channel account manager was told."),
    ),
    "lead.first_contact_overdue": (
        _("A partner's first contact of a lead is overdue"),
        _("First contact overdue: {company}"),
        _("{partner} has not contacted the lead from {company} in time."),
    ),
}


def register_kinds() -> None:
    from prm.notifications.kinds import register_kind

    for key, (label, subject, body) in KINDS.items():
        register_kind(key, label=label, subject=subject, body=body, prepare=_prepare)
