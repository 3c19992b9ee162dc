"""Reads of a partner's team (members and invitations), scoped to the viewer."""

from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Invitation, Membership, PartnerRole


class MemberStatus:
    ACTIVE = "active"
    INVITED = "invited"
    EXPIRED = "invitation_expired"
    INACTIVE = "inactive"

    LABELS = {
        ACTIVE: _("Active"),
        INVITED: _("Invited"),
        EXPIRED: _("Invitation expired"),
        INACTIVE: _("Deactivated"),
    }


def member_status(membership, now=None) -> str:
    """Status of a membership from ``team_members`` (needs its ``invitation_expires_at``)."""
    if membership.user.is_active:
        return MemberStatus.ACTIVE
    expires = getattr(membership, "invitation_expires_at", None)
    if expires is None:
        return MemberStatus.INACTIVE
    return MemberStatus.INVITED if expires > (now or timezone.now()) else MemberStatus.EXPIRED


def team_members(viewer, partner):
    """The members of a partner the viewer may see, with the expiry of their open invitation."""
    open_invitation = Invitation.objects.filter(
        user_id=OuterRef("user_id"), partner_id=OuterRef("partner_id"), accepted_at=None, revoked_at=None
    ).order_by("-expires_at")
    return (
        Membership.objects.visible_to(viewer)
        .filter(partner=partner)
        .select_related("user")
        .annotate(invitation_expires_at=Subquery(open_invitation.values("expires_at")[:1]))
        .order_by("user__last_name", "user__first_name", "user__email")
    )


def team_invitations(viewer, partner):
    """Open invitations (not accepted, not withdrawn; expired ones included) of a partner."""
    return (
        Invitation.objects.visible_to(viewer)
        .filter(partner=partner, accepted_at=None, revoked_at=None)
        .select_related("user", "invited_by")
        .order_by("-created_at")
    )


def partner_role_choices() -> list[tuple[str, str]]:
    """The partner roles, ``(value, label)``, in their order."""
    return list(PartnerRole.choices)
