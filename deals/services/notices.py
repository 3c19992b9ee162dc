"""Who is told about a deal, and the notices they receive (one INSERT for all of them)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.urls import reverse

from partners.recruitment import staff_with_role
from partners.roles import StaffRole
from prm.notifications.services import notify_many
from prm.sla.memo import memoized

from ..models import Deal


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
