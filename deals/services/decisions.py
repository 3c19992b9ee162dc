"""Decisions on a submitted registration: the question to the partner and its answer, approval (with a
second approval above the program's amount), rejection, and the rejection of conflicting registrations."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.recruitment import staff_with_role
from partners.roles import StaffRole
from partners.selectors import partner_cams
from prm.errors import ServiceError
from prm.money import MissingRate, convert
from prm.tenancy import in_scope

from ..models import DECISION_KIND, OPEN_STATUSES, Deal, DealProgramSettings, DealStatus
from ..selectors import deal_conflicts, program_settings
from ._common import (
    _audit,
    _check_transition,
    _close_clock,
    _deadlines,
    _lock,
    _require_approver,
    _require_member,
    _required,
)
from .notices import _notify_all, _partner_users
from .protection import _protect

CONFLICT_REASON = "conflict"  # stored as a code; shown in the reader's language (Deal.decision_reason_display)


@transaction.atomic
def deal_request_info(*, actor, deal: Deal, question: str, at: datetime.datetime | None = None) -> Deal:
    from prm.sla.services import deadline_pause

    question = _required(question, "question", _("Write the question for the partner."))
    _require_approver(actor, deal)
    deal = _lock(deal)
    _check_transition(deal, DealStatus.INFO_REQUESTED)
    from_state = deal.status
    deal.status = DealStatus.INFO_REQUESTED
    deal.info_question, deal.info_answer = question, ""
    deal.save(update_fields=["status", "info_question", "info_answer", "updated_at"])
    for deadline in _deadlines(deal, DECISION_KIND):
        deadline_pause(actor=actor, deadline=deadline, at=at, reason="deal.info_requested")
    _audit(actor=actor, deal=deal, action="deal.info_requested", from_state=from_state, reason=question)
    _notify_all(
        _partner_users(deal.partner_id),
        deal=deal,
        kind="deal.info_requested",
        key=f"info:{timezone.now().timestamp()}",
        question=question,
    )
    return deal


@transaction.atomic
def deal_answer_info(*, actor, deal: Deal, answer: str, at: datetime.datetime | None = None) -> Deal:
    from prm.sla.services import deadline_resume

    answer = _required(answer, "answer", _("Write your answer."))
    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    at = at or timezone.now()
    if deal.status != DealStatus.INFO_REQUESTED:
        _check_transition(deal, DealStatus.SUBMITTED)
        raise ServiceError(_("No question awaits an answer."), field="status")
    from_state = deal.status
    deal.status = DealStatus.SUBMITTED
    deal.info_answer = answer
    deal.save(update_fields=["status", "info_answer", "updated_at"])
    for deadline in _deadlines(deal, DECISION_KIND):
        deadline_resume(actor=actor, deadline=deadline, at=at, reason="deal.info_answered")
    _audit(actor=actor, deal=deal, action="deal.info_answered", from_state=from_state, reason=answer)
    _notify_all(partner_cams(deal.partner_id), deal=deal, kind="deal.info_answered", key=f"answer:{at.timestamp()}")
    return deal


def _needs_second_approval(deal: Deal, settings: DealProgramSettings | None = None) -> bool:
    """Above the program's amount, in the program's currency at the rate of the submission day (ADR
    0010). Without a rate the amount cannot be compared: a channel manager approves too."""
    program = deal.partner.program
    limit = (settings or program_settings(program)).second_approval_amount
    if limit is None:
        return False
    on = timezone.localdate(deal.submitted_at) if deal.submitted_at else timezone.localdate()
    try:
        amount = convert(deal.amount, deal.currency, program.currency, on)
    except MissingRate:
        return True
    return amount > limit


def _reject_others(*, actor, deal: Deal, at: datetime.datetime | None = None) -> list[int]:
    """Reject the open registrations that conflict with ``deal``, all of them or none (at ``at``, now by
    default)."""
    others = {
        m.target.pk: m.target
        for m in deal_conflicts(deal)
        if isinstance(m.target, Deal) and m.target.status in OPEN_STATUSES
    }
    if actor is not None and any(not in_scope(actor, other.partner_id) for other in others.values()):
        raise PermissionDenied(
            _(
                "Some conflicting registrations belong to partners you do not manage: "
                "a channel manager resolves this conflict."
            )
        )
    for other in others.values():
        _reject(actor=actor, deal=other, reason=CONFLICT_REASON, system=actor is None, at=at)
    return sorted(others)


def _approve(*, actor, deal: Deal, at=None, reject_conflicting: bool = False, system: bool = False) -> Deal:
    from prm.sla.services import deadline_met

    if not system:
        _require_approver(actor, deal)
    deal = _lock(deal)
    if deal.status == DealStatus.INFO_REQUESTED:
        raise ServiceError(_("The partner has not answered the question yet."), field="status")
    _check_transition(deal, DealStatus.APPROVED)
    at = at or timezone.now()
    if Deal.objects.protecting(at).filter(customer_key=deal.customer_key).exclude(pk=deal.pk).exists():
        raise ServiceError(_("Another registration already protects this customer."), field="status")
    from_state = deal.status
    if _needs_second_approval(deal) and not system:
        if deal.first_approver_id is None:
            deal.first_approver = actor
            deal.first_approved_at = at
            deal.save(update_fields=["first_approver", "first_approved_at", "updated_at"])
            _audit(actor=actor, deal=deal, action="deal.first_approval", from_state=from_state)
            _notify_all(
                staff_with_role(StaffRole.CHANNEL_MANAGER).exclude(pk=actor.pk),
                deal=deal,
                kind="deal.second_approval_needed",
                key="second",
            )
            return deal
        if deal.first_approver_id == actor.pk:
            raise ServiceError(_("The second approval must come from another person."), field="status")
        if not actor.has_perm("deals.approve_deal_second"):
            raise PermissionDenied(_("The second approval must come from a channel manager."))
        deal.second_approver = actor
    elif deal.first_approver_id is None:
        deal.first_approver = actor if not system else None
        deal.first_approved_at = at
    _protect(actor=actor, deal=deal, at=at)
    for deadline in _deadlines(deal, DECISION_KIND):
        deadline_met(actor=actor, deadline=deadline, at=at)
    rejected = _reject_others(actor=actor, deal=deal, at=at) if reject_conflicting else []
    _audit(
        actor=actor,
        deal=deal,
        action="deal.approved",
        from_state=from_state,
        protected_until=deal.protected_until.isoformat(),
        automatic=system,
        rejected_conflicting=rejected,
    )
    _notify_all(
        _partner_users(deal.partner_id),
        deal=deal,
        kind="deal.approved",
        key="approved",
        until=deal.protected_until.date().isoformat(),
    )
    return deal


@transaction.atomic
def deal_approve(*, actor, deal: Deal, reject_conflicting: bool = False, at=None) -> Deal:
    """Approve (or give the first of two approvals). A second approval of a decided deal is an error."""
    return _approve(actor=actor, deal=deal, at=at, reject_conflicting=reject_conflicting)


def _reject(*, actor, deal: Deal, reason: str, system: bool = False, at: datetime.datetime | None = None) -> Deal:
    """Reject at ``at`` (now by default): the moment is the deal's ``closed_at``."""
    if not system:
        _require_approver(actor, deal)
    deal = _lock(deal)
    _check_transition(deal, DealStatus.REJECTED)
    from_state = deal.status
    deal.status = DealStatus.REJECTED
    deal.decision_reason = reason
    deal.closed_at = at or timezone.now()  # the decision's moment (its day and time to decide in deals.figures)
    deal.save(update_fields=["status", "decision_reason", "closed_at", "updated_at"])
    _close_clock(actor=actor, deal=deal, kind=DECISION_KIND, at=at)
    _audit(actor=actor, deal=deal, action="deal.rejected", from_state=from_state, reason=reason)
    _notify_all(_partner_users(deal.partner_id), deal=deal, kind="deal.rejected", key="rejected", reason=reason)
    return deal


@transaction.atomic
def deal_reject(*, actor, deal: Deal, reason: str, reject_conflicting: bool = False, at=None) -> Deal:
    """Reject at ``at`` (now by default), and the open registrations that conflict with it if asked."""
    reason = _required(reason, "reason", _("Give the reason for the rejection: the partner receives it."))
    deal = _reject(actor=actor, deal=deal, reason=reason, at=at)
    if reject_conflicting:
        rejected = _reject_others(actor=actor, deal=deal, at=at)
        _audit(actor=actor, deal=deal, action="deal.conflicts_rejected", rejected_conflicting=rejected)
    return deal
