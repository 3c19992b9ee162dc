"""The partner's answer to an offer and the lead's lifecycle: accept, decline, contacted and
qualified, lost, and conversion into a deal registration."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.sla.calendar import working_seconds_per_day

from ..models import (
    ACCEPTANCE_KIND,
    FIRST_CONTACT_KIND,
    AssignmentOutcome,
    DeclineReason,
    Lead,
    LeadAssignment,
    LeadStatus,
)
from ._common import REMINDERS, _check_transition, _close_clock, _lock_held
from ._offers import _end_current, _reassign_by_rules, _release
from .config import program_settings


def _start_first_contact_clock(*, actor, lead: Lead, at) -> None:
    from prm.sla.services import deadline_start

    program = lead.partner.program
    days = max(1, program_settings(program).first_contact_days(lead.rating))
    deadline_start(
        actor=actor,
        obj=lead,
        kind=FIRST_CONTACT_KIND,
        calendar=program.calendar,
        duration_seconds=days * working_seconds_per_day(program.calendar),
        reminders=REMINDERS,
        start=at,
    )


# --- The partner's answer and the lifecycle -------------------------------------------------------


@transaction.atomic
def lead_accept(*, actor, lead: Lead, at=None) -> Lead:
    lead = _lock_held(actor, lead)
    at = at or timezone.now()
    _check_transition(lead, LeadStatus.ACCEPTED)
    updated = LeadAssignment.objects.filter(lead=lead, ended_at__isnull=True, partner_id=lead.partner_id).update(
        accepted_at=at, outcome=AssignmentOutcome.ACCEPTED
    )
    if updated != 1:
        raise ServiceError(_("This lead is no longer offered to you."), field="status")
    from_state = lead.status
    lead.status = LeadStatus.ACCEPTED
    lead.accepted_at = at
    lead.save(update_fields=["status", "accepted_at", "updated_at"])
    _close_clock(actor=actor, lead=lead, kind=ACCEPTANCE_KIND, at=at)
    _start_first_contact_clock(actor=actor, lead=lead, at=at)
    audit_record(actor=actor, action="lead.accepted", obj=lead, from_state=from_state, to_state=lead.status)
    return lead


@transaction.atomic
def lead_decline(*, actor, lead: Lead, reason: str, note: str = "", at=None) -> Lead:
    """The partner declines an offered lead (a reason from the list); the rules offer it to the next
    candidate, or it returns to the pool. The declining partner is never offered it again."""
    if reason not in DeclineReason.values:
        raise ServiceError(_("Choose the reason from the list."), field="reason")
    lead = _lock_held(actor, lead)
    at = at or timezone.now()
    if lead.status != LeadStatus.OFFERED:
        raise ServiceError(_("Only a lead awaiting your answer can be declined."), field="status")
    note = (note or "").strip()
    partner_id = lead.partner_id
    _release(actor=actor, lead=lead, outcome=AssignmentOutcome.DECLINED, now=at, reason=reason, note=note, tell=False)
    audit_record(
        actor=actor,
        action="lead.declined",
        obj=lead,
        from_state=LeadStatus.OFFERED,
        to_state=LeadStatus.OFFERED,
        reason=reason,
        partner_id=partner_id,
        data={"note": note},
    )
    _reassign_by_rules(actor=None, lead=lead, now=at, cause="declined")
    return lead


ADVANCE_STATUSES = (LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


@transaction.atomic
def lead_advance(*, actor, lead: Lead, to_status: str, at=None) -> Lead:
    """The partner moves an accepted lead on: contacted (meets the first-contact clock), qualified."""
    if to_status not in ADVANCE_STATUSES:
        raise ServiceError(_("Choose contacted or qualified."), field="status")
    lead = _lock_held(actor, lead)
    at = at or timezone.now()
    _check_transition(lead, to_status)
    from_state = lead.status
    lead.status = to_status
    if to_status == LeadStatus.CONTACTED:
        lead.contacted_at = at
    else:
        lead.qualified_at = at
    lead.save(update_fields=["status", "contacted_at", "qualified_at", "updated_at"])
    if to_status == LeadStatus.CONTACTED:
        _close_clock(actor=actor, lead=lead, kind=FIRST_CONTACT_KIND, at=at)
    audit_record(actor=actor, action=f"lead.{to_status}", obj=lead, from_state=from_state, to_state=lead.status)
    return lead


@transaction.atomic
def lead_mark_lost(*, actor, lead: Lead, reason: str, at=None) -> Lead:
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason the lead was lost."), field="reason")
    lead = _lock_held(actor, lead)
    at = at or timezone.now()
    _check_transition(lead, LeadStatus.LOST)
    from_state = lead.status
    lead.status = LeadStatus.LOST
    lead.lost_reason = reason
    lead.closed_at = at
    lead.save(update_fields=["status", "lost_reason", "closed_at", "updated_at"])
    _end_current(lead, outcome=AssignmentOutcome.LOST, now=at)
    _close_clock(actor=actor, lead=lead, kind=FIRST_CONTACT_KIND, cancel=True, at=at)
    audit_record(actor=actor, action="lead.lost", obj=lead, from_state=from_state, to_state=lead.status, reason=reason)
    return lead


@transaction.atomic
def lead_convert(*, actor, lead: Lead, amount, expected_close_date, currency: str = "", notes: str = "", at=None):
    """The partner turns the lead into a deal registration (a draft pre-filled from the lead, made as
    this partner user, linked to the lead, so vendor-sourced); it then follows the deal workflow."""
    from deals.services import deal_create_draft

    lead = _lock_held(actor, lead)
    at = at or timezone.now()
    _check_transition(lead, LeadStatus.CONVERTED)
    parts = [(notes or "").strip(), lead.notes]
    deal = deal_create_draft(
        actor=actor,
        partner=lead.partner,
        products=[lead.product] if lead.product_id else (),
        customer_company=lead.company,
        customer_email=lead.email,
        customer_country=lead.country,
        amount=amount,
        currency=currency or lead.partner.program.currency,
        expected_close_date=expected_close_date,
        notes="\n\n".join(part for part in parts if part)[:5000],
    )
    from_state = lead.status
    lead.status = LeadStatus.CONVERTED
    lead.deal = deal
    lead.closed_at = at
    if lead.contacted_at is None:
        lead.contacted_at = at
    lead.save(update_fields=["status", "deal", "closed_at", "contacted_at", "updated_at"])
    _end_current(lead, outcome=AssignmentOutcome.CONVERTED, now=at)
    _close_clock(actor=actor, lead=lead, kind=FIRST_CONTACT_KIND, at=at)
    audit_record(
        actor=actor,
        action="lead.converted",
        obj=lead,
        from_state=from_state,
        to_state=lead.status,
        data={"deal": deal.pk},
    )
    return deal
