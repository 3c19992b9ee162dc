"""Writes of deal registration: drafts, submission with conflict check, decision, protection, closing.

Clocks (platform SLA engine):
- ``deal.decision``: the decision is due ``decision_days`` business days after submission;
  reminders at 50% and 80% to the partner's CAMs; on breach the channel managers and the
  partner's users are told, and with ``auto_approve_on_breach`` a deal without conflict is
  approved. Requesting information pauses it; the answer resumes it.
- ``deal.protection``: runs on the program's business calendar from approval until the first
  business moment after ``protected_until`` (protection is in calendar days; the engine counts
  business time, so the duration is the business time between the two dates plus one second).
  Its reminders sit at the business-time fractions matching 14 and 3 calendar days before the
  end; its breach expires the deal. The customer is free from ``protected_until`` on in any case:
  protection is computed from the dates.
"""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.recruitment import staff_with_role
from partners.roles import StaffRole
from partners.selectors import partner_cams
from prm.audit.services import audit_record
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.identity import normalize_company_name, normalize_email_domain, normalize_tax_id
from prm.money import MissingRate, convert
from prm.notifications.services import notify_many
from prm.sla.calendar import Schedule, business_seconds_between, working_seconds_per_day
from prm.sla.memo import batch_object, memoized
from prm.sla.models import ACTIVE_STATES, Deadline
from prm.tenancy import in_scope, membership_of
from prm.workflow import check_transition, lock_or_error

from .models import (
    DEAL_TRANSITIONS,
    DECISION_KIND,
    OPEN_STATUSES,
    PROTECTION_KIND,
    Currency,
    Deal,
    DealProgramSettings,
    DealStage,
    DealStatus,
)
from .selectors import deal_conflicts, program_settings

logger = logging.getLogger(__name__)

DECISION_REMINDERS = (0.5, 0.8)
CONFLICT_REASON = "conflict"  # stored as a code; shown in the reader's language (Deal.decision_reason_display)
PROTECTION_REMINDER_DAYS = (14, 3)

DRAFT_FIELDS = (
    "customer_company",
    "customer_email",
    "customer_tax_id",
    "customer_country",
    "amount",
    "currency",
    "expected_close_date",
    "notes",
)


# --- Rules ------------------------------------------------------------------------------------


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


MAX_AMOUNT = Decimal("1e12")  # the columns hold 12 digits before the point
LENGTH_LIMITS = {"customer_company": 200, "customer_email": 254, "customer_tax_id": 60, "notes": 5000}


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


def _clean_customer(data: dict) -> dict:
    company = " ".join((data.get("customer_company") or "").split())
    if not normalize_company_name(company):
        raise ServiceError(_("Enter the customer's company name."), field="customer_company")
    for field, limit in LENGTH_LIMITS.items():
        if len(str(data.get(field) or "")) > limit:
            raise ServiceError(_("This field has at most %(limit)d characters.") % {"limit": limit}, field=field)
    country = (data.get("customer_country") or "").upper()
    if country not in COUNTRIES:
        raise ServiceError(_("Choose the customer's country from the list."), field="customer_country")
    email = (data.get("customer_email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ServiceError(_("Enter a valid email address."), field="customer_email") from None
    tax_id = (data.get("customer_tax_id") or "").strip()
    if tax_id and not normalize_tax_id(tax_id):
        raise ServiceError(_("A tax ID needs letters or digits."), field="customer_tax_id")
    amount = _money(data.get("amount"), "amount", _("Enter the estimated amount."))
    currency = data.get("currency") or Currency.USD
    if currency not in Currency.values:
        raise ServiceError(_("Choose a currency from the list."), field="currency")
    expected_close_date = _date(data.get("expected_close_date"), "expected_close_date")
    if expected_close_date is None:
        raise ServiceError(_("Enter the expected close date."), field="expected_close_date")
    if expected_close_date < timezone.localdate():
        raise ServiceError(_("The expected close date cannot be in the past."), field="expected_close_date")
    name = normalize_company_name(company)
    return {
        "customer_company": company,
        "customer_name_normalized": name,
        "customer_email": email,
        "customer_email_domain": normalize_email_domain(email) if email else "",
        "customer_tax_id": tax_id,
        "customer_tax_id_normalized": normalize_tax_id(tax_id),
        "customer_country": country,
        "customer_key": f"{country}:{name}",
        "amount": amount,
        "currency": currency,
        "expected_close_date": expected_close_date,
        "notes": (data.get("notes") or "").strip(),
    }


def _partner_users(partner_id: int):
    return get_user_model().objects.filter(is_active=True, membership__partner_id=partner_id).order_by("pk")


def _partner_users_of_batch(partner_id: int) -> list:
    """The partner's users, read once per SLA sweep batch (prm.sla.memo)."""
    return memoized(("partner_users", partner_id), lambda: list(_partner_users(partner_id).only("pk", "is_staff")))


def _channel_managers_of_batch() -> list:
    return memoized(
        ("staff_with_role", StaffRole.CHANNEL_MANAGER),
        lambda: list(staff_with_role(StaffRole.CHANNEL_MANAGER).only("pk", "is_staff")),
    )


def _notices(users, *, deal: Deal, kind: str, key: str, **params) -> list[dict]:
    """One notification per user, linking partner users to their deal page and staff to the admin."""
    if hasattr(users, "only"):
        users = users.only("pk", "is_staff")
    partner_url = reverse("deal_detail", args=[deal.pk])
    staff_url = reverse("admin:deals_deal_change", args=[deal.pk])
    params = {"company": deal.customer_company, "partner": deal.partner.name, **params}
    return [
        {
            "recipient": user,
            "kind": kind,
            "dedupe_key": f"deal:{deal.pk}:{key}:{user.pk}",
            "params": params,
            "url": staff_url if user.is_staff else partner_url,
        }
        for user in users
    ]


def _notify_all(users, *, deal: Deal, kind: str, key: str, **params) -> None:
    """Tell each user, in one INSERT for all of them (notify_many)."""
    notify_many(_notices(users, deal=deal, kind=kind, key=key, **params))


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


def _close_clock(*, actor, deal: Deal, kind: str, cancel: bool = False) -> None:
    from prm.sla.services import deadline_cancel, deadline_met

    close = deadline_cancel if cancel else deadline_met
    for deadline in _deadlines(deal, kind):
        close(actor=actor, deadline=deadline)


# --- Drafts -----------------------------------------------------------------------------------


@transaction.atomic
def deal_create_draft(*, actor, partner, products=(), **fields) -> Deal:
    _require_member(actor, partner.pk)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    deal = Deal.objects.create(partner=partner, created_by=actor, **_clean_customer(fields))
    if products:
        deal.products.set(products)
    _audit(actor=actor, deal=deal, action="deal.created")
    return deal


@transaction.atomic
def deal_update_draft(*, actor, deal: Deal, products=None, **fields) -> Deal:
    _require_member(actor, deal.partner_id)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    deal = _lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise ServiceError(_("Only a draft can be edited."), field="status")
    current = {name: getattr(deal, name) for name in DRAFT_FIELDS}
    for name, value in _clean_customer({**current, **fields}).items():
        setattr(deal, name, value)
    deal.save()
    if products is not None:
        deal.products.set(products)
    _audit(actor=actor, deal=deal, action="deal.updated", fields=sorted(fields))
    return deal


@transaction.atomic
def deal_delete_draft(*, actor, deal: Deal) -> None:
    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise ServiceError(_("Only a draft can be deleted."), field="status")
    _audit(actor=actor, deal=deal, action="deal.deleted", customer=deal.customer_company)
    deal.delete()


# --- Submission and decision --------------------------------------------------------------------


def _run_conflict_check(deal: Deal) -> None:
    """Set conflict_flag from the matches; a failing check sends the deal to manual review."""
    try:
        with transaction.atomic():
            matches = deal_conflicts(deal)
    except Exception:
        logger.exception("Conflict check of deal %s failed.", deal.pk)
        deal.conflict_flag = True
        deal.conflict_check_failed = True
        return
    deal.conflict_flag = bool(matches)
    deal.conflict_check_failed = False


@transaction.atomic
def deal_submit(*, actor, deal: Deal, at: datetime.datetime | None = None) -> Deal:
    from prm.sla.services import deadline_start

    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    _check_transition(deal, DealStatus.SUBMITTED)
    at = at or timezone.now()
    from_state = deal.status
    deal.status = DealStatus.SUBMITTED
    deal.submitted_at = at
    _run_conflict_check(deal)
    deal.save()
    program = deal.partner.program
    settings = program_settings(program)
    deadline_start(
        actor=actor,
        obj=deal,
        kind=DECISION_KIND,
        calendar=program.calendar,
        duration_seconds=max(1, settings.decision_days) * working_seconds_per_day(program.calendar),
        reminders=DECISION_REMINDERS,
        start=at,
    )
    _audit(actor=actor, deal=deal, action="deal.submitted", from_state=from_state, conflict=deal.conflict_flag)
    _notify_all(partner_cams(deal.partner_id), deal=deal, kind="deal.submitted", key="submitted")
    return deal


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


def _reject_others(*, actor, deal: Deal) -> list[int]:
    """Reject the open registrations that conflict with ``deal``, all of them or none."""
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
        _reject(actor=actor, deal=other, reason=CONFLICT_REASON, system=actor is None)
    return sorted(others)


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
    rejected = _reject_others(actor=actor, deal=deal) if reject_conflicting else []
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


def _reject(*, actor, deal: Deal, reason: str, system: bool = False) -> Deal:
    if not system:
        _require_approver(actor, deal)
    deal = _lock(deal)
    _check_transition(deal, DealStatus.REJECTED)
    from_state = deal.status
    deal.status = DealStatus.REJECTED
    deal.decision_reason = reason
    deal.save(update_fields=["status", "decision_reason", "updated_at"])
    _close_clock(actor=actor, deal=deal, kind=DECISION_KIND)
    _audit(actor=actor, deal=deal, action="deal.rejected", from_state=from_state, reason=reason)
    _notify_all(_partner_users(deal.partner_id), deal=deal, kind="deal.rejected", key="rejected", reason=reason)
    return deal


@transaction.atomic
def deal_reject(*, actor, deal: Deal, reason: str, reject_conflicting: bool = False) -> Deal:
    reason = _required(reason, "reason", _("Give the reason for the rejection: the partner receives it."))
    deal = _reject(actor=actor, deal=deal, reason=reason)
    if reject_conflicting:
        rejected = _reject_others(actor=actor, deal=deal)
        _audit(actor=actor, deal=deal, action="deal.conflicts_rejected", rejected_conflicting=rejected)
    return deal


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


# What the clock handlers read of a deal, in one query; a service they call locks and reloads the row.
_HANDLER_FIELDS = (
    "status",
    "customer_company",
    "conflict_flag",
    "amount",
    "currency",
    "submitted_at",
    "protected_until",
    "partner__name",
    "partner__program__currency",
    "partner__program__deal_settings__auto_approve_on_breach",
    "partner__program__deal_settings__second_approval_amount",
)


def _handler_deals(pks: list[int]) -> dict[int, Deal]:
    return Deal.objects.select_related("partner__program__deal_settings").only(*_HANDLER_FIELDS).in_bulk(pks)


def _deal_of(deadline) -> Deal | None:
    """The deal of a clock, read with the other deals of its sweep batch (prm.sla.memo)."""
    if deadline.content_type_id != ContentType.objects.get_for_model(Deal).pk:
        return None
    return batch_object(deadline, _handler_deals)


def _settings_of(deal: Deal) -> DealProgramSettings:
    """The program's deal settings, as loaded with the deal when they exist."""
    program = deal.partner.program
    try:
        return program.deal_settings
    except DealProgramSettings.DoesNotExist:
        return program_settings(program)


def decision_reminder(deadline, fraction) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status != DealStatus.SUBMITTED:
        return
    _notify_all(
        memoized(("partner_cams", deal.partner_id), lambda: list(partner_cams(deal.partner_id))),
        deal=deal,
        kind="deal.decision_reminder",
        key=f"deadline:{deadline.pk}:reminder:{fraction}",
        percent=round(float(fraction) * 100),
    )


def decision_breach(deadline) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status not in OPEN_STATUSES:
        return
    notify_many(
        _notices(
            _channel_managers_of_batch(),
            deal=deal,
            kind="deal.decision_overdue",
            key=f"deadline:{deadline.pk}:breach",
        )
        + _notices(
            _partner_users_of_batch(deal.partner_id),
            deal=deal,
            kind="deal.decision_late",
            key=f"deadline:{deadline.pk}:late",
        )
    )
    settings = _settings_of(deal)
    if (
        settings.auto_approve_on_breach
        and deal.status == DealStatus.SUBMITTED
        and not deal.conflict_flag
        and not _needs_second_approval(deal, settings)
    ):
        try:
            with transaction.atomic():
                _approve(actor=None, deal=deal, system=True)
        except ServiceError as error:
            audit_record(actor=None, action="deal.auto_approve_failed", obj=deal, reason=str(error))


def protection_reminder(deadline, fraction) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status != DealStatus.APPROVED:
        return
    _notify_all(
        _partner_users_of_batch(deal.partner_id),
        deal=deal,
        kind="deal.protection_ending",
        key=f"deadline:{deadline.pk}:reminder:{fraction}",
        until=deal.protected_until.date().isoformat(),
    )


def protection_breach(deadline) -> None:
    deal = _deal_of(deadline)
    if deal is None or deal.status != DealStatus.APPROVED:
        return
    # The clock is due at the first business moment after protected_until, so the protection has ended.
    deal_expire(actor=None, deal=deal, at=max(timezone.now(), deadline.due_at))


def register() -> None:
    """Notification kinds and SLA handlers of deal registration; called from DealsConfig.ready()."""
    from prm.sla.registry import register_handler

    from .notifications import register_kinds

    register_kinds()
    register_handler(DECISION_KIND, on_reminder=decision_reminder, on_breach=decision_breach)
    register_handler(PROTECTION_KIND, on_reminder=protection_reminder, on_breach=protection_breach)
