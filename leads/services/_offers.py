"""Giving leads to partners and taking them back, shared by routing, the partner's answers and the
clock handlers: the offer in bulk (assignment rows, lead rows, acceptance clocks, notifications),
ending the current assignment, the pool, and the next candidate of the rules."""

from __future__ import annotations

from collections import defaultdict

import orjson
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Program
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.notifications.services import notify_many
from prm.sla.calendar import working_seconds_per_day

from ..engine import Decision, RoutingContext, excluded_partners
from ..models import ACCEPTANCE_KIND, FIRST_CONTACT_KIND, AssignmentStrategy, Lead, LeadAssignment, LeadStatus
from ._common import (
    REMINDERS,
    _alert_managers,
    _check_transition,
    _close_clock,
    _is_staff,
    _lock,
    _notifications,
    _notify_users,
    _partner_link,
    _partner_users,
    _routing_lock,
    _sales_users_by_partner,
    _staff_link,
)
from .config import program_settings, program_settings_cache

# --- Clocks -----------------------------------------------------------------------------------


def _start_acceptance_clocks(
    lead_ids: list[int], partner_ids: list[int], programs: dict[int, Program], now, *, actor=None
) -> None:
    """One acceptance clock per offered lead, in bulk (``deadlines_start_many``: one INSERT per plan)."""
    from prm.sla.services import ClockStart, deadlines_start_many

    durations: dict[int, int] = {}  # program id -> the acceptance time in business seconds
    clocks = []
    for lead_id, partner_id in zip(lead_ids, partner_ids, strict=True):
        program = programs[partner_id]
        duration = durations.get(program.pk)
        if duration is None:
            days = max(1, program_settings_cache(program).acceptance_days)
            duration = durations[program.pk] = days * working_seconds_per_day(program.calendar)
        clocks.append(ClockStart(lead_id, partner_id, program.calendar, duration))
    deadlines_start_many(actor=actor, model=Lead, kind=ACCEPTANCE_KIND, clocks=clocks, reminders=REMINDERS, start=now)


# --- Offers -----------------------------------------------------------------------------------


def _programs_of(partner_ids) -> dict[int, Program]:
    partners = Partner.objects.filter(pk__in=set(partner_ids)).select_related("program__calendar")
    programs: dict[int, Program] = {}
    shared: dict[int, Program] = {}
    for partner in partners:
        programs[partner.pk] = shared.setdefault(partner.program_id, partner.program)
    return programs


def _update_offered(lead_ids: list[int], partner_ids: list[int], rule_ids: list, *, now, reassigned: bool) -> None:
    """The lead rows of the offers in one UPDATE ... FROM unnest(): only the partner and the rule differ
    from row to row (``bulk_update`` builds a CASE WHEN per field and row, slow at thousands of rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {Lead._meta.db_table} AS lead SET partner_id = v.partner_id, rule_id = v.rule_id,
            status = %s, offered_at = %s, accepted_at = NULL, contacted_at = NULL, qualified_at = NULL,
            updated_at = %s, reassignments = lead.reassignments + %s
            FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS v(id, partner_id, rule_id)
            WHERE lead.id = v.id""",  # noqa: S608 (model table; values are parameters)
            [LeadStatus.OFFERED, now, now, 1 if reassigned else 0, lead_ids, partner_ids, rule_ids],
        )


def _insert_assignments(offers: list[tuple[Lead, Decision]], *, now, by) -> list[int]:
    """``bulk_create`` of the offers as one INSERT ... SELECT FROM unnest() per 5,000 rows, the
    columns that are the same for the batch passed once (Django prepares every value of every row).
    Returns the new ids in the order of ``offers``."""
    columns = "lead_id, partner_id, rule_id, strategy, explanation, assigned_at, assigned_by_id, outcome, decline_reason, note"
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(offers), 5000):
            chunk = offers[start : start + 5000]
            cursor.execute(
                f"""INSERT INTO {LeadAssignment._meta.db_table} ({columns})
                SELECT v.lead_id, v.partner_id, v.rule_id, v.strategy, v.explanation::jsonb, %s, %s, '', '', ''
                FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::text[], %s::text[]) WITH ORDINALITY
                    AS v(lead_id, partner_id, rule_id, strategy, explanation, n)
                ORDER BY v.n RETURNING id""",  # noqa: S608 (model table and fixed columns; values are parameters)
                [
                    now,
                    by.pk if by is not None else None,
                    [lead.pk for lead, _decision in chunk],
                    [decision.partner_id for _lead, decision in chunk],
                    [decision.rule_id for _lead, decision in chunk],
                    [decision.strategy or AssignmentStrategy.MANUAL for _lead, decision in chunk],
                    [orjson.dumps(decision.explanation).decode() for _lead, decision in chunk],
                ],
            )
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def _offer(*, actor, offers: list[tuple[Lead, Decision]], now, reassigned: bool = False) -> list[int]:
    """Give each lead to its decided partner: assignment rows, lead rows, acceptance clocks and
    notifications, in bulk; returns the ids of the assignments. The leads are locked by the caller
    and have no current assignment. A lead may be a model instance (updated in memory too, for the
    single-lead services that go on using it) or a batch's ``PoolLead``."""
    if not offers:
        return []
    by = actor if _is_staff(actor) else None
    assignment_ids = _insert_assignments(offers, now=now, by=by)
    lead_ids = [lead.pk for lead, _decision in offers]
    partner_ids = [decision.partner_id for _lead, decision in offers]
    _update_offered(
        lead_ids, partner_ids, [decision.rule_id for _lead, decision in offers], now=now, reassigned=reassigned
    )
    for lead, decision in offers:
        if isinstance(lead, Lead):
            lead.partner_id = decision.partner_id
            lead.status = LeadStatus.OFFERED
            lead.rule_id = decision.rule_id
            lead.offered_at = now
            lead.accepted_at = lead.contacted_at = lead.qualified_at = None
            lead.updated_at = now
            if reassigned:
                lead.reassignments += 1
    _start_acceptance_clocks(lead_ids, partner_ids, _programs_of(partner_ids), now, actor=actor)
    by_partner: dict[int, list[int]] = defaultdict(list)  # partner id -> indexes of its offers
    for index, partner_id in enumerate(partner_ids):
        by_partner[partner_id].append(index)
    recipients = _sales_users_by_partner(list(by_partner))
    notifications = []
    for partner_id, indexes in by_partner.items():
        first = indexes[0]
        lead = offers[first][0]
        if len(indexes) == 1:
            notifications += _notifications(
                recipients[partner_id],
                kind="lead.offered",
                key=f"lead:{lead.pk}:offered:{assignment_ids[first]}",
                url=_partner_link(lead),
                company=lead.company,
                country=lead.country,
            )
        else:
            notifications += _notifications(
                recipients[partner_id],
                kind="lead.offered_many",
                key=f"leads:offered:{partner_id}:{assignment_ids[first]}",
                url=_partner_link(status=LeadStatus.OFFERED),
                count=len(indexes),
            )
    notify_many(notifications)
    return assignment_ids


def _end_current(lead: Lead, *, outcome: str, now, reason: str = "", note: str = "") -> LeadAssignment | None:
    assignment = LeadAssignment.objects.select_for_update().filter(lead=lead, ended_at__isnull=True).first()
    if assignment is None:
        return None
    assignment.ended_at = now
    assignment.outcome = outcome
    assignment.decline_reason = reason
    if note:
        assignment.note = note
    assignment.save(update_fields=["ended_at", "outcome", "decline_reason", "note"])
    return assignment


def _to_pool(*, actor, lead: Lead, now, cause: str, alert: bool) -> Lead:
    from_state, previous = lead.status, lead.partner_id
    _check_transition(lead, LeadStatus.POOL)
    lead.status = LeadStatus.POOL
    lead.partner_id = None
    lead.rule_id = None
    lead.save(update_fields=["status", "partner", "rule", "updated_at"])
    # On the trail of the partner that held the lead (the pool is no partner's).
    audit_record(
        actor=actor,
        action="lead.returned_to_pool",
        obj=lead,
        from_state=from_state,
        to_state=lead.status,
        reason=cause,
        partner_id=previous,
    )
    if alert:
        _alert_managers(
            kind="lead.returned_to_pool",
            key=f"lead:{lead.pk}:pool:{now.timestamp()}",
            url=_staff_link(lead),
            company=lead.company,
            cause=cause,
        )
    return lead


def _release(*, actor, lead: Lead, outcome: str, now, reason: str = "", note: str = "", tell: bool) -> int | None:
    """End the current assignment and its clocks; tell the partner when the lead is taken away."""
    previous = lead.partner_id
    _end_current(lead, outcome=outcome, now=now, reason=reason, note=note)
    _close_clock(actor=actor, lead=lead, kind=ACCEPTANCE_KIND, cancel=True, at=now)
    _close_clock(actor=actor, lead=lead, kind=FIRST_CONTACT_KIND, cancel=True, at=now)
    if tell and previous is not None:
        _notify_users(
            _partner_users(previous),
            kind="lead.recalled",
            key=f"lead:{lead.pk}:recalled:{previous}:{now.timestamp()}",
            url=_partner_link(),
            company=lead.company,
        )
    return previous


def _reassign_by_rules(*, actor, lead: Lead, now, cause: str) -> Lead:
    """After a decline or a lapse: the next candidate of the rules, or the pool (with an alert)."""
    settings = program_settings(lead.partner.program) if lead.partner_id else None
    if settings is not None and lead.reassignments >= settings.max_reassignments:
        return _to_pool(actor=actor, lead=lead, now=now, cause="max_reassignments", alert=True)
    _routing_lock()
    context = RoutingContext.load(now=now)
    decision = context.route(lead, excluded_partners([lead.pk]).get(lead.pk, set()))
    if decision.partner_id is None:
        return _to_pool(actor=actor, lead=lead, now=now, cause="no_candidate", alert=True)
    from_state = lead.status
    _offer(actor=actor, offers=[(lead, decision)], now=now, reassigned=True)
    context.save_cursors()
    audit_record(
        actor=actor,
        action="lead.reassigned",
        obj=lead,
        from_state=from_state,
        to_state=lead.status,
        reason=cause,
        data={"partner": decision.partner_id, "rule": decision.rule_id},
    )
    return lead


def _assign_by_rules(*, actor, lead: Lead, now=None) -> Lead:
    lead = _lock(lead)
    if lead.status != LeadStatus.POOL:
        raise ServiceError(_("Only a lead in the vendor pool can be assigned by the rules."), field="status")
    now = now or timezone.now()
    _routing_lock()
    context = RoutingContext.load(now=now)
    decision = context.route(lead, excluded_partners([lead.pk]).get(lead.pk, set()))
    if decision.partner_id is None:
        audit_record(actor=actor, action="lead.unmatched", obj=lead, to_state=lead.status)
        _alert_managers(
            kind="lead.unmatched", key=f"lead:{lead.pk}:unmatched:{now.timestamp()}", url=_staff_link(lead), count=1
        )
        return lead
    _offer(actor=actor, offers=[(lead, decision)], now=now)
    context.save_cursors()
    audit_record(
        actor=actor,
        action="lead.offered",
        obj=lead,
        from_state=LeadStatus.POOL,
        to_state=lead.status,
        data={"partner": decision.partner_id, "rule": decision.rule_id, "strategy": decision.strategy},
    )
    return lead
