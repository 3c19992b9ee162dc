"""Routing: placing pool leads with the rules (one lead, a batch, the whole pool) and the staff's
reassignments and returns to the pool."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.sql import id_array
from prm.tenancy import in_scope, partner_scope_q, sees_all_partners

from ..engine import Decision, RoutingContext, excluded_partners
from ..models import AssignmentOutcome, AssignmentStrategy, Lead, LeadStatus
from ._common import (
    _alert_managers,
    _check_transition,
    _lock,
    _require_assigner,
    _require_staff_perm,
    _routing_lock,
    _staff_link,
)
from ._offers import _assign_by_rules, _offer, _release, _to_pool


@transaction.atomic
def lead_assign_by_rules(*, actor, lead: Lead, now=None) -> Lead:
    """Place a pool lead with the rules now; without a match it stays in the pool and the channel
    managers are alerted. ``actor`` None is the system."""
    if actor is not None:
        _require_assigner(actor, lead)
    return _assign_by_rules(actor=actor, lead=lead, now=now)


class PoolLead:
    """A pool lead as a batch reads it: what the engine and the offer use, without a model instance."""

    __slots__ = (
        "pk",
        "created_at",
        "company",
        "country",
        "region",
        "industry",
        "product_id",
        "company_size",
        "rating",
        "latitude",
        "longitude",
    )

    def __init__(self, *values):
        for name, value in zip(self.__slots__, values, strict=True):
            setattr(self, name, value)


@dataclass
class BatchResult:
    assigned: int = 0
    unmatched: int = 0
    skipped: int = 0  # of the given ids: locked by another transaction or no longer in the pool
    assignment_ids: list[int] = field(default_factory=list)
    last: tuple | None = None  # (created_at, id) of the last lead read


@transaction.atomic
def leads_assign_batch(
    *, actor=None, lead_ids=None, limit: int | None = None, after: tuple | None = None, now=None
) -> BatchResult:
    """Place pool leads with the rules in one transaction: the given ids, or the oldest ``limit``
    pool leads (after the ``(created_at, id)`` key ``after``, when given). Leads that another
    transaction holds are skipped (SELECT ... FOR UPDATE SKIP LOCKED), never waited for; everything
    the engine needs is read once and the writes are bulk."""
    if actor is not None:
        _require_staff_perm(actor, "leads.assign_lead", _("You may not assign leads."))
        if not sees_all_partners(actor):
            raise PermissionDenied(_("Only staff who see every partner assign the vendor pool."))
    now = now or timezone.now()
    result = BatchResult()
    _routing_lock()
    queryset = Lead.objects.filter(status=LeadStatus.POOL)
    if lead_ids is not None:
        lead_ids = list(lead_ids)
        queryset = queryset.filter(pk__in=id_array(lead_ids))
    if after is not None:
        queryset = queryset.filter(Q(created_at__gt=after[0]) | Q(created_at=after[0], pk__gt=after[1]))
    queryset = queryset.select_for_update(skip_locked=True, of=("self",)).order_by("created_at", "pk")
    leads = [PoolLead(*row) for row in (queryset[:limit] if limit else queryset).values_list(*PoolLead.__slots__)]
    if lead_ids is not None:
        result.skipped = len(set(lead_ids)) - len(leads)
    if not leads:
        return result
    result.last = (leads[-1].created_at, leads[-1].pk)
    context = RoutingContext.load(now=now)
    excluded = excluded_partners([lead.pk for lead in leads])
    offers = []
    unmatched = []
    for lead in leads:
        decision = context.route(lead, excluded.get(lead.pk, ()))
        if decision.partner_id is None:
            unmatched.append(lead.pk)
        else:
            offers.append((lead, decision))
    result.unmatched = len(unmatched)
    result.assignment_ids = _offer(actor=actor, offers=offers, now=now)
    result.assigned = len(result.assignment_ids)
    context.save_cursors()
    audit_record(
        actor=actor,
        action="lead.batch_assigned",
        data={"assigned": result.assigned, "unmatched": result.unmatched, "skipped": result.skipped},
    )
    if result.unmatched:
        # The same leads still unmatched at the next run are not announced again.
        digest = hashlib.sha256(",".join(map(str, sorted(unmatched))).encode()).hexdigest()[:20]
        _alert_managers(
            kind="lead.unmatched",
            key=f"leads:unmatched:{digest}",
            url=_staff_link(),
            count=result.unmatched,
        )
    return result


def leads_assign_pool(*, actor=None, batch_size: int = 20000, max_batches: int = 1000) -> BatchResult:
    """Place the whole vendor pool in bounded batches (one transaction each), oldest first.

    The batches walk the pool by (created_at, id), so leads that no rule places do not keep the
    newer ones from being reached; a lead another transaction holds is passed over until the next run."""
    total = BatchResult()
    after = None
    for _batch in range(max_batches):
        result = leads_assign_batch(actor=actor, limit=batch_size, after=after)
        if result.last is None:
            break
        after = result.last
        total.assigned += result.assigned
        total.unmatched += result.unmatched
        total.skipped += result.skipped
    return total


@transaction.atomic
def lead_reassign(*, actor, lead: Lead, partner: Partner | None = None, note: str = "", now=None) -> Lead:
    """Staff take a lead from its partner (or the pool) and give it to ``partner``, or, without one,
    to the rules' choice (leaving out the current partner). A CAM only to partners they look after."""
    _require_assigner(actor, lead)
    lead = _lock(lead)
    now = now or timezone.now()
    _check_transition(lead, LeadStatus.OFFERED)
    note = (note or "").strip()
    if partner is not None:
        if not partner.is_active or not in_scope(actor, partner.pk):
            raise PermissionDenied(_("You may not assign leads to this partner."))
        if partner.pk == lead.partner_id and lead.status == LeadStatus.OFFERED:
            raise ServiceError(_("The lead is already offered to this partner."), field="partner")
    from_state, previous = lead.status, lead.partner_id
    if previous is not None:
        _release(actor=actor, lead=lead, outcome=AssignmentOutcome.RECALLED, now=now, note=note, tell=True)
    if partner is not None:
        decision = Decision(
            partner.pk,
            None,
            AssignmentStrategy.MANUAL,
            {
                "at": now.isoformat(),
                "reason": {"code": "manual"},
                "by": actor.email,
                "note": note,
                "winner": partner.pk,
            },
        )
        context = None
    else:
        _routing_lock()
        context = RoutingContext.load(now=now)
        excluded = excluded_partners([lead.pk]).get(lead.pk, set())
        if previous is not None:
            excluded.add(previous)
        if not sees_all_partners(actor):
            scope = set(Partner.objects.filter(partner_scope_q(actor, "pk")).values_list("pk", flat=True))
            excluded |= set(context.candidates) - scope
        decision = context.route(lead, excluded)
        if decision.partner_id is None:
            if lead.status == LeadStatus.POOL:
                raise ServiceError(_("No partner matches this lead."), field="partner")
            return _to_pool(actor=actor, lead=lead, now=now, cause="no_candidate", alert=True)
    _offer(actor=actor, offers=[(lead, decision)], now=now)
    if context is not None:
        context.save_cursors()
    audit_record(
        actor=actor,
        action="lead.reassigned" if previous else "lead.offered",
        obj=lead,
        from_state=from_state,
        to_state=lead.status,
        reason=note,
        data={"from_partner": previous, "partner": decision.partner_id, "strategy": decision.strategy},
    )
    return lead


def lead_assign_manually(*, actor, lead: Lead, partner: Partner, note: str = "", now=None) -> Lead:
    """Staff give a lead (in the pool or held) to a chosen partner (audited)."""
    if partner is None:
        raise ServiceError(_("Choose a partner."), field="partner")
    return lead_reassign(actor=actor, lead=lead, partner=partner, note=note, now=now)


@transaction.atomic
def lead_return_to_pool(*, actor, lead: Lead, reason: str = "", now=None) -> Lead:
    _require_assigner(actor, lead)
    lead = _lock(lead)
    now = now or timezone.now()
    _check_transition(lead, LeadStatus.POOL)
    reason = (reason or "").strip()
    _release(actor=actor, lead=lead, outcome=AssignmentOutcome.RETURNED, now=now, note=reason, tell=True)
    return _to_pool(actor=actor, lead=lead, now=now, cause=reason or "staff", alert=False)
