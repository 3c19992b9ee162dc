"""Handlers of the lead clocks, run by the SLA sweeper (reminders and breaches of the acceptance and
first-contact clocks), and their registration."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from partners.selectors import partner_cams
from prm.audit.services import audit_record

from ..models import ACCEPTANCE_KIND, FIRST_CONTACT_KIND, AssignmentOutcome, Lead, LeadStatus
from ._common import _lock, _notify_users, _partner_link, _sales_users_by_partner, _staff_link
from ._offers import _reassign_by_rules, _release


def _lead_of(deadline) -> Lead | None:
    if deadline.content_type_id != ContentType.objects.get_for_model(Lead).pk:
        return None
    return Lead.objects.select_related("partner").filter(pk=deadline.object_id).first()


def _remind_partner(deadline, fraction, *, status: str, kind: str) -> None:
    """A reminder of a lead's clock to its partner's sales users, while the lead is still where the
    clock expects it (``status``, with the clock's partner)."""
    lead = _lead_of(deadline)
    if lead is None or lead.status != status or lead.partner_id != deadline.partner_id:
        return
    _notify_users(
        _sales_users_by_partner([lead.partner_id])[lead.partner_id],
        kind=kind,
        key=f"deadline:{deadline.pk}:reminder:{fraction}",
        url=_partner_link(lead),
        company=lead.company,
        percent=round(float(fraction) * 100),
    )


def acceptance_reminder(deadline, fraction) -> None:
    _remind_partner(deadline, fraction, status=LeadStatus.OFFERED, kind="lead.acceptance_reminder")


def acceptance_breach(deadline) -> None:
    """The offer lapsed: recall the lead and offer it to the next candidate (or the pool)."""
    lead = _lead_of(deadline)
    if lead is None:
        return
    lead = _lock(lead, nowait=True)  # a user's request holds it: fail now, run again at the next sweep
    if lead.status != LeadStatus.OFFERED or lead.partner_id != deadline.partner_id:
        return  # answered, or taken away, in the meantime
    # The offer lapsed at its due time; the sweeper may run later (downtime), never earlier.
    now = max(timezone.now(), deadline.due_at) if deadline.due_at else timezone.now()
    partner_id = lead.partner_id
    _release(actor=None, lead=lead, outcome=AssignmentOutcome.LAPSED, now=now, tell=True)
    audit_record(
        actor=None,
        action="lead.lapsed",
        obj=lead,
        from_state=LeadStatus.OFFERED,
        to_state=LeadStatus.OFFERED,
        partner_id=partner_id,
    )
    _reassign_by_rules(actor=None, lead=lead, now=now, cause="lapsed")


def first_contact_reminder(deadline, fraction) -> None:
    _remind_partner(deadline, fraction, status=LeadStatus.ACCEPTED, kind="lead.first_contact_reminder")


def first_contact_breach(deadline) -> None:
    lead = _lead_of(deadline)
    if lead is None or lead.status != LeadStatus.ACCEPTED or lead.partner_id != deadline.partner_id:
        return
    _notify_users(
        _sales_users_by_partner([lead.partner_id])[lead.partner_id],
        kind="lead.first_contact_late",
        key=f"deadline:{deadline.pk}:late",
        url=_partner_link(lead),
        company=lead.company,
    )
    _notify_users(
        partner_cams(lead.partner),
        kind="lead.first_contact_overdue",
        key=f"deadline:{deadline.pk}:overdue",
        url=_staff_link(lead),
        company=lead.company,
        partner=lead.partner.name,
    )


def register() -> None:
    """Notification kinds and SLA handlers of lead distribution; called from LeadsConfig.ready()."""
    from prm.sla.registry import register_handler

    from ..notifications import register_kinds

    register_kinds()
    register_handler(ACCEPTANCE_KIND, on_reminder=acceptance_reminder, on_breach=acceptance_breach)
    register_handler(FIRST_CONTACT_KIND, on_reminder=first_contact_reminder, on_breach=first_contact_breach)
