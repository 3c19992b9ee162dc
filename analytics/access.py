"""Who reads a partner's dashboard: its admins and executives; its sales and marketing users when an
admin has shared it. Vendor staff read partners through their own pages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from prm.tenancy import is_vendor_staff, membership_of, record_denied_access

DASHBOARD_ROLES = ("admin", "executive")
NOT_SHARED = _("Your company's dashboard is not shared with your role. A partner admin can share it.")


def dashboard_partner(request):
    """``(partner, membership)`` of the caller, or ``(None, None)`` for vendor staff; 404 for anybody
    else, 403 for a partner user the dashboard is not shared with."""
    membership = membership_of(request.user)
    if membership is None or not membership.partner.is_active:
        if is_vendor_staff(request.user):
            return None, None
        raise Http404
    if not can_read_dashboard(membership):
        record_denied_access(request.user, request.path)
        raise PermissionDenied(NOT_SHARED)
    return membership.partner, membership


def can_read_dashboard(membership) -> bool:
    return membership.role in DASHBOARD_ROLES or membership.partner.dashboard_shared


def dashboard_nav(membership):
    """The navigation's item to the dashboard, for a partner user who may read it."""
    from django.urls import reverse

    if not can_read_dashboard(membership):
        return None
    return reverse("dashboard"), _("Dashboard"), "layout-dashboard"
