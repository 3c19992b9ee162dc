"""The notification kinds of deal registration: what each person is told, in their language."""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import DealStatus, reason_display

EXTENSION_DECISIONS = {"approved": _("approved"), "refused": _("refused")}


def _prepare(params: dict) -> dict:
    """Codes and ISO dates stored in the outbox, shown in the language active when it is rendered."""
    shown = dict(params)
    if shown.get("until"):
        try:
            shown["until"] = date_format(datetime.date.fromisoformat(shown["until"]), "DATE_FORMAT")
        except ValueError:
            pass
    if shown.get("decision") in EXTENSION_DECISIONS:
        shown["decision"] = EXTENSION_DECISIONS[shown["decision"]]
    if "reason" in shown:
        shown["reason"] = reason_display(shown["reason"])
    if shown.get("status") in DealStatus.values:
        shown["status"] = DealStatus(shown["status"]).label
    return shown


KINDS = {
    "deal.submitted": (
        _("A partner submits a deal registration"),
        _("New deal registration: {company}"),
        _("{partner} registered {company} and awaits your decision. The decision clock is running."),
    ),
    "deal.info_requested": (
        _("More information is requested on my deal registration"),
        _("Question on your deal registration for {company}"),
        _("The channel team asks: {question}\n\nAnswer on the registration's page; the decision clock waits for you."),
    ),
    "deal.info_answered": (
        _("A partner answers a question"),
        _("The partner answered on {company}"),
        _("{partner} answered your question on {company}. The decision clock runs again."),
    ),
    "deal.second_approval_needed": (
        _("A deal registration needs a second approval"),
        _("Second approval needed: {company}"),
        _("The registration of {company} by {partner} is above the amount that needs a channel manager's approval."),
    ),
    "deal.approved": (
        _("My deal registration is approved"),
        _("Your deal registration for {company} is approved"),
        _("{company} is protected for you until {until}. Keep its stage and amount up to date on the portal."),
    ),
    "deal.rejected": (
        _("My deal registration is rejected"),
        _("Your deal registration for {company} is rejected"),
        _("The channel team rejected the registration of {company}. Reason: {reason}"),
    ),
    "deal.closed": (
        _("A partner closes a deal"),
        _("Deal {company} closed"),
        _("{partner} closed {company}: {status}."),
    ),
    "deal.extension_requested": (
        _("A partner requests a protection extension"),
        _("Extension requested: {company}"),
        _("{partner} asks for more protection time on {company}. Approve or refuse it in the admin."),
    ),
    "deal.extension_decided": (
        _("A decision on my protection extension"),
        _("Protection of {company}: decision on your extension"),
        _("Your extension request for {company} was {decision}. The protection ends on {until}."),
    ),
    "deal.expired": (
        _("My deal protection expires"),
        _("The protection of {company} has expired"),
        _("The protection period of {company} is over; the customer is open to registration again."),
    ),
    "deal.decision_reminder": (
        _("A deal registration awaits a decision"),
        # xgettext:no-python-format
        _("{percent}% of the decision time on {company} has passed"),
        # xgettext:no-python-format
        _("{percent}% of the decision time on the registration of {company} by {partner} has passed."),
    ),
    "deal.decision_overdue": (
        _("A deal decision is overdue"),
        _("Decision overdue: {company}"),
        _("The decision on the registration of {company} by {partner} is past its deadline."),
    ),
    "deal.decision_late": (
        _("The decision on my deal registration is late"),
        _("The decision on {company} is late"),
        _("The decision on your registration of {company} is past its deadline; the channel manager was told."),
    ),
    "deal.protection_ending": (
        _("My deal protection ends soon"),
        _("The protection of {company} ends on {until}"),
        _("Close {company} as won or lost, or request an extension, before {until}."),
    ),
}


def register_kinds() -> None:
    from prm.notifications.kinds import register_kind

    for key, (label, subject, body) in KINDS.items():
        register_kind(key, label=label, subject=subject, body=body, prepare=_prepare)
