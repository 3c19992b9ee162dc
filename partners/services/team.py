"""Writes of a partner's team: who may act on it, memberships and roles, deactivating a member.

A partner keeps at least one active partner admin; the partner row is locked while its team changes.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.accounts.services import user_deactivate, user_end_sessions
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.notifications.services import notify
from prm.tenancy import is_vendor_staff

from ..models import Invitation, Membership, Partner, PartnerRole
from ._common import _lock_partner


def membership_validate(*, user, role: str) -> None:
    """The rules of membership_add; forms call it to show field errors before saving."""
    if role not in PartnerRole.values:
        raise ServiceError(_("Choose a valid role."), field="role")
    if user.is_staff:
        raise ServiceError(_("Vendor staff cannot belong to a partner."), field="user")
    if Membership.objects.filter(user=user).exists():
        raise ServiceError(_("This user already belongs to a partner."), field="user")


@transaction.atomic
def membership_add(*, actor, user, partner: Partner, role: str) -> Membership:
    # Locking the user serialises two concurrent additions of the same person.
    user = type(user).objects.select_for_update().get(pk=user.pk)
    membership_validate(user=user, role=role)
    membership = Membership.objects.create(user=user, partner=partner, role=role)
    audit_record(actor=actor, action="membership.added", obj=membership, to_state=role, partner_id=partner.pk)
    return membership


# Only the partner admin role is above the others; "raising" a role means becoming admin.
ROLE_RANK = {PartnerRole.ADMIN: 2, PartnerRole.SALES: 1, PartnerRole.MARKETING: 1, PartnerRole.EXECUTIVE: 1}


def authorize_team_action(*, actor, partner: Partner, staff_perm: str | None = None) -> None:
    """Who may act on a partner's team.

    A partner user acts only on their own partner (another partner's team answers 404, like a
    missing one) and only as a partner admin (403 otherwise). Vendor staff act on the partners
    in their scope, with ``staff_perm`` when one is named. ``actor=None`` is the system.
    """
    if actor is None:
        return
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied
    own = Membership.objects.filter(user=actor).select_related("partner").first()
    if own is not None:
        if own.partner_id != partner.pk or not own.partner.is_active:
            raise Http404
        if own.role != PartnerRole.ADMIN:
            raise PermissionDenied(_("Only a partner admin can do this."))
        return
    if not is_vendor_staff(actor):
        raise PermissionDenied
    if not Partner.objects.visible_to(actor).filter(pk=partner.pk).exists():
        raise Http404
    if staff_perm and not actor.has_perm(staff_perm):
        raise PermissionDenied


def _is_active_admin(membership: Membership) -> bool:
    return membership.role == PartnerRole.ADMIN and membership.user.is_active


def _ensure_another_active_admin(membership: Membership, message) -> None:
    """Refuses a change that would leave the partner without an active partner admin."""
    if not _is_active_admin(membership):
        return
    others = (
        Membership.objects.filter(partner_id=membership.partner_id, role=PartnerRole.ADMIN, user__is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    )
    if not others:
        raise ServiceError(message)


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    """Changes a member's role. Nobody raises their own role; the last active partner admin stays admin."""
    if role not in PartnerRole.values:
        raise ServiceError(_("Choose a valid role."), field="role")
    membership = Membership.objects.select_related("user").get(pk=membership.pk)
    is_self = actor is not None and membership.user_id == actor.pk
    if is_self and ROLE_RANK[role] > ROLE_RANK[membership.role]:
        # Checked before the admin rule, so the answer names the rule that applies.
        raise ServiceError(_("Nobody can raise their own role."), field="role")
    authorize_team_action(actor=actor, partner=membership.partner, staff_perm="partners.change_membership")
    _lock_partner(membership.partner_id)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    if role != PartnerRole.ADMIN:
        _ensure_another_active_admin(
            membership, _("The last active partner admin cannot be given another role. Make someone else admin first.")
        )
    membership.role = role
    membership.save(update_fields=["role"])
    Invitation.objects.filter(user=membership.user, accepted_at=None, revoked_at=None).update(role=role)
    event = audit_record(actor=actor, action="membership.role_changed", obj=membership, from_state=old, to_state=role)
    notify(
        recipient=membership.user,
        kind="membership.role_changed",
        dedupe_key=f"audit:{event.pk}",
        params={"role": role},
        url="/profile/",
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership, reason: str = "") -> None:
    """Removes a user from their partner; their sessions and tokens end at their next request."""
    authorize_team_action(actor=actor, partner=membership.partner, staff_perm="partners.delete_membership")
    _lock_partner(membership.partner_id)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _ensure_another_active_admin(
        membership, _("The last active partner admin cannot be removed. Make someone else admin first.")
    )
    audit_record(
        actor=actor,
        action="membership.removed",
        obj=membership,
        from_state=membership.role,
        to_state="removed",
        reason=reason,
    )
    user = membership.user
    membership.delete()
    user_end_sessions(user=user)


@transaction.atomic
def team_member_deactivate(*, actor, membership: Membership, reason: str = "") -> Membership:
    """Deactivates a member's account: their sessions and API tokens end at once. Nothing is deleted."""
    membership = Membership.objects.select_related("user", "partner").get(pk=membership.pk)
    authorize_team_action(actor=actor, partner=membership.partner, staff_perm="partners.change_membership")
    if actor is not None and membership.user_id == actor.pk:
        raise ServiceError(_("You cannot deactivate your own account."))
    _lock_partner(membership.partner_id)
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    _ensure_another_active_admin(
        membership, _("The last active partner admin cannot be deactivated. Make someone else admin first.")
    )
    was_active = membership.user.is_active
    user_deactivate(actor=actor, user=membership.user, reason=reason)
    # An open invitation could otherwise reactivate the account.
    revoked = Invitation.objects.filter(user=membership.user, accepted_at=None, revoked_at=None).update(
        revoked_at=timezone.now()
    )
    if was_active or revoked:
        audit_record(
            actor=actor,
            action="membership.deactivated",
            obj=membership,
            from_state="active" if was_active else "invited",
            to_state="inactive",
            reason=reason,
        )
    membership.user.refresh_from_db(fields=["is_active", "auth_version"])
    return membership
