"""What the services of deal registration share: the rules of who may act, the row lock, the checks of
a transition and of the values, the audit event and the closing of a clock."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.sla.models import ACTIVE_STATES, Deadline
from prm.tenancy import in_scope, membership_of
from prm.workflow import check_transition, lock_or_error

from ..models import DEAL_TRANSITIONS, Deal

MAX_AMOUNT = Decimal("1e12")  # the columns hold 12 digits before the point


def _require_member(actor, partner_id: int) -> None:
    membership = membership_of(actor)
    if membership is None or membership.partner_id != partner_id or not membership.partner.is_active:
        raise PermissionDenied(_("You may not register deals for this partner."))


def _require_approver(actor, deal: Deal) -> None:
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("deals.approve_deal")
        and in_scope(actor, deal.partner_id)
    ):
        raise PermissionDenied(_("You may not decide on the deal registrations of this partner."))


def _check_transition(deal: Deal, to_status: str) -> None:
    check_transition(
        DEAL_TRANSITIONS,
        deal.status,
        to_status,
        message=_("A deal registration that is %(current)s cannot become %(target)s."),
    )


def _lock(deal: Deal) -> Deal:
    """The deal's row, locked until the transaction ends; a deal deleted meanwhile is a clear error."""
    return lock_or_error(
        Deal.objects.select_related("partner__program__calendar"),
        deal.pk,
        of=("self",),
        missing=_("This deal registration no longer exists."),
    )


def _required(text: str, field: str, message) -> str:
    text = (text or "").strip()
    if not text:
        raise ServiceError(message, field=field)
    return text


def _money(value, field: str, message) -> Decimal:
    """A non-negative amount with at most two decimals that the columns can hold."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ServiceError(message, field=field) from None
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise ServiceError(message, field=field)
    return amount


def _date(value, field: str) -> datetime.date | None:
    """A date given as a date or an ISO string (YYYY-MM-DD); None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ServiceError(_("Enter a valid date."), field=field) from None


def _audit(*, actor, deal: Deal, action: str, from_state: str = "", reason: str = "", **data) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=deal,
        from_state=from_state,
        to_state=deal.status,
        reason=reason,
        partner_id=deal.partner_id,
        data=data,
    )


def _deadlines(deal: Deal, kind: str):
    return Deadline.objects.for_object(deal, kind).filter(state__in=ACTIVE_STATES)


def _close_clock(*, actor, deal: Deal, kind: str, cancel: bool = False, at: datetime.datetime | None = None) -> None:
    from prm.sla.services import deadline_cancel, deadline_met

    close = deadline_cancel if cancel else deadline_met
    for deadline in _deadlines(deal, kind):
        close(actor=actor, deadline=deadline, at=at)
