"""What the lead services share: who may act, the locks, the transition check, the recipients and
links of notifications, and closing a clock."""

from __future__ import annotations

from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partners.models import PartnerRole
from partners.recruitment import staff_with_role
from partners.roles import StaffRole
from prm.notifications.services import notify_many
from prm.sla.models import ACTIVE_STATES, Deadline
from prm.tenancy import membership_of
from prm.workflow import check_transition, lock_or_error

from ..models import LEAD_TRANSITIONS, Lead, LeadStatus

REMINDERS = (0.5, 0.8)
ROUTING_LOCK_KEY = 740_2001  # pg_advisory_xact_lock key of the routing engine


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


def _lock_held(actor, lead: Lead) -> Lead:
    _require_holder(actor, lead)
    lead = _lock(lead)
    if lead.partner_id != membership_of(actor).partner_id:
        # Reassigned away while the page was open: the same answer as a lead never offered.
        raise PermissionDenied(_("This lead is not assigned to your company."))
    return lead


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
