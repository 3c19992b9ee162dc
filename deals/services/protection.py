"""After approval: the protection of the customer and its clock, the sales stage, closing (won or
lost), extensions of the protection and its expiry."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.selectors import partner_cams
from prm.errors import ServiceError
from prm.sla.calendar import Schedule, business_seconds_between

from ..models import PROTECTION_KIND, Deal, DealStage, DealStatus
from ..selectors import program_settings
from ._common import (
    _audit,
    _check_transition,
    _close_clock,
    _date,
    _lock,
    _money,
    _require_approver,
    _require_member,
    _required,
)
from .notices import _notify_all, _partner_users

PROTECTION_REMINDER_DAYS = (14, 3)


def _protect(*, actor, deal: Deal, at: datetime.datetime) -> None:
    """Make the approved deal protect its customer; the exclusion constraint has the last word."""
    settings = program_settings(deal.partner.program)
    deal.status = DealStatus.APPROVED
    deal.stage = deal.stage or DealStage.QUALIFICATION
    deal.approved_at = at
    deal.protected_until = at + datetime.timedelta(days=settings.protection_days)
    try:
        with transaction.atomic():
            deal.save()
    except IntegrityError as error:
        if "deal_one_protection_per_customer" in str(error):
            raise ServiceError(_("Another registration already protects this customer."), field="status") from None
        raise
    _start_protection_clock(actor=actor, deal=deal, start=at)


# --- After approval ---------------------------------------------------------------------------


@transaction.atomic
def deal_update_progress(*, actor, deal: Deal, stage: str | None = None, amount=None) -> Deal:
    """The partner keeps an approved deal's sales stage and estimated amount up to date."""
    _require_member(actor, deal.partner_id)
    if stage is None and amount is None:
        raise ServiceError(_("Change the stage or the amount."), field="stage")
    if stage is not None and stage not in DealStage.values:
        raise ServiceError(_("Choose a stage from the list."), field="stage")
    if amount is not None:
        amount = _money(amount, "amount", _("Enter the estimated amount."))
    deal = _lock(deal)
    if deal.status != DealStatus.APPROVED:
        raise ServiceError(_("Only an approved registration has a sales stage to update."), field="status")
    changes = {}
    if stage is not None and stage != deal.stage:
        changes["stage"] = [deal.stage, stage]
        deal.stage = stage
    if amount is not None and amount != deal.amount:
        changes["amount"] = [str(deal.amount), str(amount)]
        deal.amount = amount
    if changes:
        deal.save(update_fields=["stage", "amount", "updated_at"])
        _audit(actor=actor, deal=deal, action="deal.progress_updated", from_state=deal.status, **changes)
    return deal


def _close(*, actor, deal: Deal, to_status: str, at=None) -> tuple[Deal, str]:
    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    _check_transition(deal, to_status)
    from_state = deal.status
    deal.status = to_status
    deal.closed_at = at or timezone.now()
    return deal, from_state


@transaction.atomic
def deal_close_won(*, actor, deal: Deal, final_amount, closed_on: datetime.date) -> Deal:
    final_amount = _money(final_amount, "final_amount", _("Enter the final amount."))
    closed_on = _date(closed_on, "closed_on")
    if closed_on is None:
        raise ServiceError(_("Enter the close date."), field="closed_on")
    if closed_on > timezone.localdate():
        raise ServiceError(_("The close date cannot be in the future."), field="closed_on")
    deal, from_state = _close(actor=actor, deal=deal, to_status=DealStatus.WON)
    deal.final_amount, deal.closed_on = final_amount, closed_on
    deal.save()
    _close_clock(actor=actor, deal=deal, kind=PROTECTION_KIND, cancel=True)
    _audit(actor=actor, deal=deal, action="deal.won", from_state=from_state, final_amount=str(final_amount))
    _notify_all(partner_cams(deal.partner_id), deal=deal, kind="deal.closed", key="closed", status=deal.status)
    return deal


@transaction.atomic
def deal_close_lost(*, actor, deal: Deal, reason: str) -> Deal:
    reason = _required(reason, "reason", _("Give the reason the deal was lost."))
    deal, from_state = _close(actor=actor, deal=deal, to_status=DealStatus.LOST)
    deal.decision_reason = reason
    deal.save()
    _close_clock(actor=actor, deal=deal, kind=PROTECTION_KIND, cancel=True)
    _audit(actor=actor, deal=deal, action="deal.lost", from_state=from_state, reason=reason)
    _notify_all(partner_cams(deal.partner_id), deal=deal, kind="deal.closed", key="closed", status=deal.status)
    return deal


@transaction.atomic
def deal_request_extension(*, actor, deal: Deal, reason: str = "", at=None) -> Deal:
    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    at = at or timezone.now()
    if not deal.is_protecting(at):
        raise ServiceError(_("Only a registration that protects its customer can be extended."), field="status")
    if deal.extensions_used >= program_settings(deal.partner.program).max_extensions:
        raise ServiceError(_("This registration has no extension left."), field="status")
    if deal.extension_requested_at is not None:
        raise ServiceError(_("An extension is already requested."), field="status")
    deal.extension_requested_at = at
    deal.extension_reason = (reason or "").strip()
    deal.save(update_fields=["extension_requested_at", "extension_reason", "updated_at"])
    _audit(actor=actor, deal=deal, action="deal.extension_requested", reason=deal.extension_reason)
    _notify_all(partner_cams(deal.partner_id), deal=deal, kind="deal.extension_requested", key=f"ext:{at}")
    return deal


@transaction.atomic
def deal_extension_decide(*, actor, deal: Deal, approve: bool, reason: str = "", at=None) -> Deal:
    _require_approver(actor, deal)
    deal = _lock(deal)
    at = at or timezone.now()
    if deal.extension_requested_at is None:
        raise ServiceError(_("No extension is requested."), field="status")
    if approve:
        if not deal.is_protecting(at):
            raise ServiceError(_("The protection already ended."), field="status")
        settings = program_settings(deal.partner.program)
        deal.protected_until += datetime.timedelta(days=settings.extension_days)
        deal.extensions_used += 1
    deal.extension_requested_at = None
    try:
        with transaction.atomic():
            deal.save()
    except IntegrityError as error:
        if "deal_one_protection_per_customer" in str(error):
            raise ServiceError(_("Another registration already protects this customer."), field="status") from None
        raise
    if approve:
        _close_clock(actor=actor, deal=deal, kind=PROTECTION_KIND, cancel=True)
        _start_protection_clock(actor=actor, deal=deal, start=at)
    action = "deal.extension_approved" if approve else "deal.extension_rejected"
    _audit(actor=actor, deal=deal, action=action, reason=(reason or "").strip())
    _notify_all(
        _partner_users(deal.partner_id),
        deal=deal,
        kind="deal.extension_decided",
        key=f"extdecided:{deal.extensions_used}:{at}",
        until=deal.protected_until.date().isoformat(),
        decision="approved" if approve else "refused",
    )
    return deal


@transaction.atomic
def deal_expire(*, actor, deal: Deal, at=None) -> Deal:
    """The protection ended: the registration becomes expired (the customer is already free)."""
    deal = _lock(deal)
    at = at or timezone.now()
    _check_transition(deal, DealStatus.EXPIRED)
    if deal.protected_until > at:
        raise ServiceError(_("The protection has not ended yet."), field="status")
    from_state = deal.status
    deal.status = DealStatus.EXPIRED
    deal.extension_requested_at = None
    deal.save(update_fields=["status", "extension_requested_at", "updated_at"])
    _close_clock(actor=actor, deal=deal, kind=PROTECTION_KIND)
    _audit(actor=actor, deal=deal, action="deal.expired", from_state=from_state)
    _notify_all(_partner_users(deal.partner_id), deal=deal, kind="deal.expired", key="expired")
    return deal


# --- Clocks -----------------------------------------------------------------------------------


def _start_protection_clock(*, actor, deal: Deal, start: datetime.datetime) -> None:
    from prm.sla.services import deadline_start

    calendar = deal.partner.program.calendar
    schedule = Schedule.from_calendar(calendar)
    duration = business_seconds_between(schedule, start, deal.protected_until) + 1
    fractions = []
    for days in PROTECTION_REMINDER_DAYS:
        point = deal.protected_until - datetime.timedelta(days=days)
        if point > start:
            fraction = business_seconds_between(schedule, start, point) / duration
            if 0 < fraction < 1:
                fractions.append(fraction)
    deadline_start(
        actor=actor,
        obj=deal,
        kind=PROTECTION_KIND,
        calendar=calendar,
        duration_seconds=duration,
        reminders=fractions,
        start=start,
    )
