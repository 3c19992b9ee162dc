"""Who reads what of the dashboards.

- A partner's dashboard (its company figures, their exports, its history and the API): its admins
  and executives; its sales and marketing users when an admin has shared it.
- "My figures" (``analytics.mine``: the user's own deal registrations): every user of an active
  partner, over their own registrations only. A sales or marketing user the company's dashboard is
  not shared with finds it at ``/dashboard/`` (no longer a 403); the others have it beside the
  company's dashboard.

Vendor staff read partners through their own pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from prm.tenancy import is_vendor_staff, membership_of, record_denied_access

DASHBOARD_ROLES = ("admin", "executive")
NOT_SHARED = _("Your company's dashboard is not shared with your role. A partner admin can share it.")


def _member(request):
    """The caller's membership of an active partner; None for vendor staff; 404 for anybody else."""
    membership = membership_of(request.user)
    if membership is None or not membership.partner.is_active:
        if is_vendor_staff(request.user):
            return None
        raise Http404
    return membership


def dashboard_partner(request):
    """``(partner, membership)`` of the caller, or ``(None, None)`` for vendor staff; 404 for anybody
    else, 403 for a partner user the dashboard is not shared with."""
    membership = _member(request)
    if membership is None:
        return None, None
    if not can_read_dashboard(membership):
        record_denied_access(request.user, request.path)
        raise PermissionDenied(NOT_SHARED)
    return membership.partner, membership


def own_figures_partner(request):
    """``(partner, membership)`` of a partner user reading their own figures (any role), or
    ``(None, None)`` for vendor staff, who have none; 404 for anybody else."""
    membership = _member(request)
    if membership is None:
        return None, None
    return membership.partner, membership


def can_read_dashboard(membership) -> bool:
    """Whether the partner user reads the company's figures (not only their own)."""
    return membership.role in DASHBOARD_ROLES or membership.partner.dashboard_shared


def reads_own_figures_only(request) -> bool:
    """A user of an active partner whose company's dashboard is not shared with their role: their
    ``/dashboard/`` is "My figures"."""
    membership = membership_of(request.user)
    return membership is not None and membership.partner.is_active and not can_read_dashboard(membership)


def dashboard_nav(membership):
    """The navigation's item to the dashboard: the company's, or "My figures" for a user it is not
    shared with."""
    from django.urls import reverse

    if not can_read_dashboard(membership):
        return reverse("dashboard"), _("My figures"), "layout-dashboard"
    return reverse("dashboard"), _("Dashboard"), "layout-dashboard"
