"""The saved views a user may open, scoped: vendor staff read their own views and those shared with
one of their staff roles; a partner user reads the views shared with their partner role or with their
partner. Any other view answers 404, the same as a missing one (and the attempt is audited).

A view shared with a partner shows the partner its own dashboard, whatever the view's filters say:
the filters narrow the program dashboard of vendor staff only (``analytics.program``)."""

from __future__ import annotations

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from partners.selectors import partner_role_choices
from prm.roles import StaffRole
from prm.tenancy import record_denied_access

from .models import SavedView

STAFF = "staff:"
PARTNER = "partner:"


def staff_role_choices() -> list[tuple[str, str]]:
    """``("staff:<role>", label)`` of every staff role, what a view may be shared with."""
    return [(f"{STAFF}{role}", label) for role, label in StaffRole.LABELS.items()]


def partner_role_share_choices() -> list[tuple[str, str]]:
    """``("partner:<role>", label)`` of every partner role (the users of that role of every partner)."""
    return [(f"{PARTNER}{role}", label) for role, label in partner_role_choices()]


def _shared_with_any(keys) -> Q:
    shared = Q(pk__in=[])
    for key in keys:
        shared |= Q(shared_roles__contains=[key])
    return shared


def _active_staff_owner() -> Q:
    return Q(owner__is_active=True, owner__is_staff=True)


def staff_saved_views(user):
    """The views of a staff user: their own and those an active colleague shared with one of their
    roles, by name (two queries: the user's roles, the views)."""
    keys = [f"{STAFF}{name}" for name in user.groups.values_list("name", flat=True) if name in StaffRole.LABELS]
    return (
        SavedView.objects.filter(Q(owner=user) | (_active_staff_owner() & _shared_with_any(keys)))
        .select_related("owner")
        .order_by("name", "pk")
    )


def partner_saved_views(membership):
    """The views shared with a partner user: with their partner role or with their partner, by name
    (one query)."""
    chosen = SavedView.shared_partners.through.objects.filter(partner_id=membership.partner_id).values("savedview_id")
    return (
        SavedView.objects.filter(_active_staff_owner())
        .filter(Q(shared_roles__contains=[f"{PARTNER}{membership.role}"]) | Q(pk__in=chosen))
        .order_by("name", "pk")
    )


def _one_or_404(queryset, user, pk):
    view = queryset.filter(pk=pk).first()
    if view is not None:
        return view
    if SavedView.objects.filter(pk=pk).exists():
        record_denied_access(user, SavedView._meta.label, {"pk": pk})
    raise Http404(_("No such view."))


def staff_saved_view_or_404(user, pk) -> SavedView:
    return _one_or_404(staff_saved_views(user), user, pk)


def partner_saved_view_or_404(user, membership, pk) -> SavedView:
    return _one_or_404(partner_saved_views(membership), user, pk)


def own_saved_view_or_404(user, pk) -> SavedView:
    """A view of the user's own (what only its owner may change or delete)."""
    return _one_or_404(SavedView.objects.filter(owner=user), user, pk)
