"""The notification kinds of the dashboards: the inactivity alert and the two weekly digests.

A user turns the e-mail of each off on the notification preferences page, which every e-mail links
to (the digests are unsubscribable one by one)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext_lazy as _

NEVER = _("never")


def _prepare(params: dict) -> dict:
    """Stored codes shown in the language active when the notification is rendered."""
    shown = dict(params)
    if "last" in shown:
        try:
            shown["last"] = formats.date_format(datetime.date.fromisoformat(shown["last"]), "SHORT_DATE_FORMAT")
        except (TypeError, ValueError):
            shown["last"] = str(NEVER)
    if "revenue" in shown:
        shown["revenue"] = _amounts(shown["revenue"])
    return shown


def _amounts(pairs) -> str:
    """``[[amount, currency], …]`` as "12,500 USD + 300 EUR" in the active language's number format."""
    shown = []
    for pair in pairs if isinstance(pairs, list) else []:
        try:
            amount, currency = Decimal(pair[0]), str(pair[1])
        except (TypeError, ValueError, IndexError, InvalidOperation):
            continue
        shown.append(f"{formats.number_format(amount, 0, force_grouping=True)}\N{NO-BREAK SPACE}{currency}")
    return " + ".join(shown) or "0"


KINDS = {
    "analytics.partner_inactive": (
        _("A partner of mine becomes inactive"),
        _("{partner} has had no activity for {days} days"),
        _(
            "{partner} has not signed in, registered a deal or worked a lead for {days} days. "
            "Last activity: {last}. Get in touch before the partnership goes cold."
        ),
    ),
    "analytics.cam_digest": (
        _("Weekly summary of my portfolio"),
        _("Your portfolio this week: {submitted} registrations, {waiting} items waiting on you"),
        _(
            "The week of your {partners} partners:\n"
            "Registrations submitted: {submitted}\n"
            "Deals won: {won}, for {revenue}\n"
            "Leads accepted: {accepted}\n"
            "Waiting on you now: {waiting}\n"
            "Inactive partners: {inactive}"
        ),
    ),
    "analytics.partner_digest": (
        _("Weekly pipeline summary of my company"),
        _("{partner} this week: {submitted} registrations, {won} deals won"),
        _(
            "The week of {partner}:\n"
            "Registrations submitted: {submitted}\n"
            "Registrations approved: {approved}\n"
            "Deals won: {won}, for {revenue}\n"
            "Leads offered: {offered}, accepted: {accepted}\n"
            "Open registrations now: {open}"
        ),
    ),
}


def register_kinds() -> None:
    from prm.notifications.kinds import register_kind

    for key, (label, subject, body) in KINDS.items():
        register_kind(key, label=label, subject=subject, body=body, prepare=_prepare)
