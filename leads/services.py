"""Writes of lead distribution: intake, routing, acceptance, the lifecycle and conversion into a deal.

Every service takes keyword arguments with an explicit ``actor`` (None: the system — the rules, the
sweeper), runs in one transaction, locks the lead it changes, checks ``LEAD_TRANSITIONS``, writes an
audit event and schedules notifications through the outbox.

Clocks (platform SLA engine):
- ``lead.acceptance``: ``acceptance_days`` business days from the offer; reminders at 50% and 80%
  to the partner's sales users; on breach the offer lapses and the lead is offered to the next
  candidate of the rules (partners that declined or let it lapse are left out). After
  ``max_reassignments`` reassignments, or when no candidate is left, it returns to the vendor
  pool and the channel managers are alerted.
- ``lead.first_contact``: from acceptance, ``first_contact_days_<rating>`` business days (A: 2,
  B and C: 5 by default); met when the partner marks the lead contacted; reminders to the
  partner's sales users, and on breach the partner is reminded and its CAMs are alerted.

Locks: a routing run (single lead or batch) holds a transaction-level advisory lock, so the
engine's state (capacity counts, round-robin cursors) is read and moved by one run at a time. A
batch claims its leads with ``SELECT ... FOR UPDATE SKIP LOCKED`` after taking it, so it never waits
on a lead a user is changing; single-lead services lock the lead first and then take the routing
lock. The partial unique constraint ``leadassign_one_current_per_lead`` is the final guarantee.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from dataclasses import dataclass, field

import orjson
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deals.models import Product
from partners.models import CompanySize, Industry, Partner, PartnerRole, Program
from partners.recruitment import staff_with_role
from partners.roles import StaffRole
from partners.selectors import partner_cams
from prm.audit.services import audit_record
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.notifications.services import notify_many
from prm.sla.calendar import working_seconds_per_day
from prm.sla.models import ACTIVE_STATES, Deadline
from prm.sql import id_array
from prm.tenancy import in_scope, membership_of, partner_scope_q, sees_all_partners
from prm.workflow import check_transition, lock_or_error

from .engine import Decision, RoutingContext, excluded_partners
from .models import (
    ACCEPTANCE_KIND,
    FIRST_CONTACT_KIND,
    LEAD_TRANSITIONS,
    AssignmentOutcome,
    AssignmentStrategy,
    DeclineReason,
    Lead,
    LeadAssignment,
    LeadProgramSettings,
    LeadRating,
    LeadStatus,
)

logger = logging.getLogger(__name__)

REMINDERS = (0.5, 0.8)
ROUTING_LOCK_KEY = 740_2001  # pg_advisory_xact_lock key of the routing engine
LEAD_FIELDS = (
    "contact_name",
    "email",
    "phone",
    "company",
    "company_size",
    "industry",
    "country",
    "region",
    "city",
    "latitude",
    "longitude",
    "product",
    "rating",
    "source",
    "notes",
)
LENGTH_LIMITS = {
    "contact_name": 200,
    "email": 254,
    "phone": 40,
    "company": 200,
    "region": 100,
    "city": 100,
    "source": 100,
    "notes": 5000,
}


# --- Rules ------------------------------------------------------------------------------------


def _is_staff(actor) -> bool:
    return bool(actor is not None and getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_staff)


def _require_staff_perm(actor, perm: str, message) -> None:
    if not (_is_staff(actor) and actor.has_perm(perm)):
        raise PermissionDenied(message)


def _require_assigner(actor, lead: Lead) -> None:
    """Staff who may assign leads, and see this one (a pool lead only to staff who see all partners)."""
    _require_staff_perm(actor, "leads.assign_lead", _("You may not assign leads."))
    if not Lead.objects.visible_to(actor).filter(pk=lead.pk).exists():
        raise PermissionDenied(_("You may not assign this lead."))


def _require_holder(actor, lead: Lead) -> None:
    """A user of the partner that currently holds the lead."""
    membership = membership_of(actor)
    if (
        membership is None
        or not membership.partner.is_active
        or lead.partner_id is None
        or membership.partner_id != lead.partner_id
    ):
        raise PermissionDenied(_("This lead is not assigned to your company."))


def _check_transition(lead: Lead, to_status: str) -> None:
    check_transition(
        LEAD_TRANSITIONS, lead.status, to_status, message=_("A lead that is %(current)s cannot become %(target)s.")
    )


def _lock(lead: Lead | int, *, nowait: bool = False) -> Lead:
    return lock_or_error(
        Lead.objects.select_related("partner__program__calendar"),
        lead.pk if isinstance(lead, Lead) else lead,
        of=("self",),
        nowait=nowait,
        missing=_("This lead no longer exists."),
    )


def _routing_lock() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROUTING_LOCK_KEY])


def program_settings(program) -> LeadProgramSettings:
    """The lead settings of a program, created with the defaults on first use."""
    program_id = program.pk if isinstance(program, Program) else program
    return LeadProgramSettings.objects.get_or_create(program_id=program_id)[0]


def clean_lead_fields(data: dict) -> dict:
    """The validated fields of a lead (shared by the admin, the API and the CSV import).

    Raises ServiceError naming the field at the first problem."""
    unknown = set(data) - set(LEAD_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    clean = {name: data.get(name) for name in LEAD_FIELDS}
    for name in ("contact_name", "email", "phone", "company", "region", "city", "source", "notes"):
        value = clean[name]
        clean[name] = ("" if value is None else str(value)).strip()
        if name != "notes":
            clean[name] = " ".join(clean[name].split())
        if len(clean[name]) > LENGTH_LIMITS[name]:
            raise ServiceError(
                _("This field has at most %(limit)d characters.") % {"limit": LENGTH_LIMITS[name]}, field=name
            )
    if not clean["company"]:
        raise ServiceError(_("Enter the company."), field="company")
    if not clean["contact_name"]:
        raise ServiceError(_("Enter the contact's name."), field="contact_name")
    try:
        EmailValidator()(clean["email"])
    except ValidationError:
        raise ServiceError(_("Enter a valid email address."), field="email") from None
    clean["email"] = clean["email"].lower()
    clean["country"] = str(clean["country"] or "").strip().upper()
    if clean["country"] not in COUNTRIES:
        raise ServiceError(_("Choose the country from the list."), field="country")
    clean["company_size"] = clean["company_size"] or ""
    if clean["company_size"] and clean["company_size"] not in CompanySize.values:
        raise ServiceError(_("Choose a company size from the list."), field="company_size")
    clean["industry"] = clean["industry"] or ""
    if clean["industry"] and clean["industry"] not in Industry.values:
        raise ServiceError(_("Choose an industry from the list."), field="industry")
    clean["rating"] = str(clean["rating"] or LeadRating.B).strip().upper()
    if clean["rating"] not in LeadRating.values:
        raise ServiceError(_("Choose a rating: A, B or C."), field="rating")
    product = clean["product"]
    if product not in (None, ""):
        product_id = product.pk if isinstance(product, Product) else product
        product = Product.objects.filter(pk=product_id, is_active=True).first() if str(product_id).isdigit() else None
        if product is None:
            raise ServiceError(_("Choose a product from the catalogue."), field="product")
    clean["product"] = product or None
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = clean[name]
        if value in (None, ""):
            clean[name] = None
            continue
        try:
            clean[name] = float(value)
        except (TypeError, ValueError):
            raise ServiceError(_("Enter a number of degrees."), field=name) from None
        if not -limit <= clean[name] <= limit:
            raise ServiceError(_("Enter a number of degrees."), field=name)
    if (clean["latitude"] is None) != (clean["longitude"] is None):
        raise ServiceError(_("Give both the latitude and the longitude, or neither."), field="latitude")
    return clean


# --- Notifications ----------------------------------------------------------------------------


def _sales_users_by_partner(partner_ids) -> dict[int, list]:
    """The active sales users of each partner; its admins when it has no sales user."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, membership__partner_id__in=partner_ids)
        .select_related("membership")
        .order_by("pk")
    )
    sales, admins = defaultdict(list), defaultdict(list)
    for user in users:
        role = user.membership.role
        if role == PartnerRole.SALES:
            sales[user.membership.partner_id].append(user)
        elif role == PartnerRole.ADMIN:
            admins[user.membership.partner_id].append(user)
    return {pk: sales.get(pk) or admins.get(pk, []) for pk in partner_ids}


def _partner_users(partner_id: int):
    return get_user_model().objects.filter(is_active=True, membership__partner_id=partner_id).order_by("pk")


def _notifications(users, *, kind: str, key: str, url: str = "", **params) -> list[dict]:
    """One notification per user (its dedupe key ends with the user's id), for ``notify_many``."""
    return [
        {"recipient": user, "kind": kind, "dedupe_key": f"{key}:{user.pk}", "params": params, "url": url}
        for user in users
    ]


def _notify_users(users, *, kind: str, key: str, url: str = "", **params) -> None:
    notify_many(_notifications(users, kind=kind, key=key, url=url, **params))


def _partner_link(lead: Lead | None = None, *, status: str = "") -> str:
    """Where a notification sends the partner's users: the lead's page, or their inbox."""
    if lead is not None:
        return reverse("lead_detail", args=[lead.pk])
    return reverse("lead_inbox") + (f"?status={status}" if status else "")


def _staff_link(lead: Lead | None = None) -> str:
    """Where a notification sends staff: the lead in the admin, or the leads waiting in the vendor pool."""
    if lead is not None:
        return reverse("admin:leads_lead_change", args=[lead.pk])
    return reverse("admin:leads_lead_changelist") + f"?status__exact={LeadStatus.POOL}"


def _alert_managers(*, kind: str, key: str, **params) -> None:
    _notify_users(staff_with_role(StaffRole.CHANNEL_MANAGER), kind=kind, key=key, **params)


# --- Clocks -----------------------------------------------------------------------------------


def _active_deadlines(lead: Lead, kind: str):
    return Deadline.objects.for_object(lead, kind).filter(state__in=ACTIVE_STATES)


def _close_clock(*, actor, lead: Lead, kind: str, cancel: bool = False, at=None) -> None:
    from prm.sla.services import deadlines_close

    deadlines_close(actor=actor, deadlines=_active_deadlines(lead, kind), cancel=cancel, at=at)


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


def program_settings_cache(program) -> LeadProgramSettings:
    """Settings attached to the program object for the duration of one service call."""
    cached = getattr(program, "_lead_settings", None)
    if cached is None:
        cached = program._lead_settings = program_settings(program)
    return cached


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
    from_state = lead.status
    _check_transition(lead, LeadStatus.POOL)
    lead.status = LeadStatus.POOL
    lead.partner_id = None
    lead.rule_id = None
    lead.save(update_fields=["status", "partner", "rule", "updated_at"])
    audit_record(
        actor=actor, action="lead.returned_to_pool", obj=lead, from_state=from_state, to_state=lead.status, reason=cause
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


# --- Intake and assignment ----------------------------------------------------------------------


@transaction.atomic
def lead_create(*, actor, assign: bool = False, **fields) -> Lead:
    """A new lead in the vendor pool (staff); with ``assign`` the rules place it at once."""
    _require_staff_perm(actor, "leads.add_lead", _("You may not create leads."))
    lead = Lead.objects.create(created_by=actor, status=LeadStatus.POOL, **clean_lead_fields(fields))
    audit_record(actor=actor, action="lead.created", obj=lead, to_state=lead.status)
    if assign:
        lead = _assign_by_rules(actor=actor, lead=lead)
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


# --- The partner's answer and the lifecycle -------------------------------------------------------


def _lock_held(actor, lead: Lead) -> Lead:
    _require_holder(actor, lead)
    lead = _lock(lead)
    if lead.partner_id != membership_of(actor).partner_id:
        # Reassigned away while the page was open: the same answer as a lead never offered.
        raise PermissionDenied(_("This lead is not assigned to your company."))
    return lead


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


# --- Clock handlers (run by the SLA sweeper) ----------------------------------------------------


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

    from .notifications import register_kinds

    register_kinds()
    register_handler(ACCEPTANCE_KIND, on_reminder=acceptance_reminder, on_breach=acceptance_breach)
    register_handler(FIRST_CONTACT_KIND, on_reminder=first_contact_reminder, on_breach=first_contact_breach)
