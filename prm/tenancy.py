"""Tenancy: the one scoping primitive that decides who sees which partner-owned rows.

- A partner user sees the rows of their own (active) partner.
- Vendor staff with the permission ``partners.view_all_partners`` (channel manager,
  executive, acquisition, marketing, training) see all partners.
- A channel account manager sees the partners granted to them with the guardian
  object permission ``partners.manage_partner``.
- Anybody else sees nothing.

Every view, API, export, search and dashboard reads through ``visible_to(user)``; an
object outside the scope answers 404 exactly like a missing one (``get_visible_or_404``).
See docs/adr/0001-tenancy.md.

``cam_grants()`` is the one query of CAM grants; ``in_scope(user, partner_id)`` answers for one
partner. The partners models are looked up in the app registry when called, so importing this
module imports no app.
"""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Q
from django.http import Http404

_NOTHING = Q(pk__in=[])
_EVERYTHING = Q()


def membership_of(user):
    """The user's partner membership (with partner), or None. Cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_prm_membership"):
        memberships = apps.get_model("partners", "Membership")
        user._prm_membership = memberships.objects.select_related("partner", "partner__tier").filter(user=user).first()
    return user._prm_membership


def is_vendor_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_staff)


def sees_all_partners(user) -> bool:
    return is_vendor_staff(user) and user.has_perm("partners.view_all_partners")


def partner_scope_q(user, path: str = "partner") -> Q:
    """A Q object restricting ``path`` (a lookup to a Partner or its pk) to the user's scope."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return _NOTHING
    membership = membership_of(user)
    if membership is not None:
        if not membership.partner.is_active:
            return _NOTHING
        return Q(**{path: membership.partner_id})
    if not is_vendor_staff(user):
        return _NOTHING
    if sees_all_partners(user):
        return _EVERYTHING
    return Q(**{f"{path}__in": cam_grants().filter(user=user).values("content_object_id")})


def cam_grants():
    """Every channel account manager grant (the object permission ``partners.manage_partner``): rows
    with ``user`` and ``content_object`` (the partner). Filter them further (a user, partners, active)."""
    grants = apps.get_model("partners", "PartnerUserObjectPermission")
    return grants.objects.filter(permission__codename="manage_partner", permission__content_type__app_label="partners")


def in_scope(user, partner_id) -> bool:
    """Whether the partner ``partner_id`` is in the user's scope."""
    partners = apps.get_model("partners", "Partner")
    return partners.objects.filter(partner_scope_q(user, "pk"), pk=partner_id).exists()


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every partner-owned model. ``partner_path`` leads to the Partner."""

    partner_path = "partner"

    def visible_to(self, user):
        return self.filter(partner_scope_q(user, self.partner_path))


def get_visible_or_404(queryset, user, **lookup):
    """The object if the user may see it; otherwise 404, the same as a missing one.

    A hit outside the scope is recorded in the audit trail as a denied access.
    """
    obj = queryset.visible_to(user).filter(**lookup).first()
    if obj is not None:
        return obj
    if queryset.model._default_manager.filter(**lookup).exists():
        record_denied_access(user, queryset.model._meta.label, lookup)
    raise Http404


def partner_page_caller(request, *, admin: str, readable=None, pk=None):
    """Who opens a partner page of a record: ``(partner, None)`` for a user of an active partner;
    ``(None, redirect)`` for vendor staff, sent to the same record in the admin (``admin`` is
    "app_model"; the changelist without ``pk``), after a 404 when the record is outside their scope or
    ``readable(user)`` leaves it out (a deal's draft); a 404 for anybody else."""
    from django.shortcuts import redirect

    membership = membership_of(request.user)
    if membership is not None and membership.partner.is_active:
        return membership.partner, None
    if is_vendor_staff(request.user):
        if pk is None:
            return None, redirect(f"admin:{admin}_changelist")
        get_visible_or_404(readable(request.user), request.user, pk=pk)
        return None, redirect(f"admin:{admin}_change", pk)
    raise Http404


def record_denied_access(user, target: str, details: dict | None = None) -> None:
    from prm.audit.services import audit_record

    audit_record(
        actor=user,
        action="access.denied",
        reason=target,
        data={key: str(value) for key, value in (details or {}).items()},
    )
