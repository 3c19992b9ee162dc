from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from prm.accounts.services import ServiceError, user_end_sessions
from prm.audit.services import audit_record
from prm.notifications.services import notify

from .models import Membership, Partner, PartnerRole
from .roles import STAFF_ROLE_PERMISSIONS, StaffRole


def ensure_staff_groups() -> None:
    """Create or update the vendor staff groups and their permissions (idempotent)."""
    for role, codenames in STAFF_ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set(Permission.objects.filter(codename__in=codenames))


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


@transaction.atomic
def membership_change_role(*, actor, membership: Membership, role: str) -> Membership:
    if role not in PartnerRole.values:
        raise ServiceError(_("Choose a valid role."), field="role")
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
    old = membership.role
    if old == role:
        return membership
    membership.role = role
    membership.save(update_fields=["role"])
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
    membership = Membership.objects.select_for_update().select_related("user").get(pk=membership.pk)
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
def partner_assign_cam(*, actor, partner: Partner, cam) -> None:
    if not cam.is_staff or not cam.groups.filter(name=StaffRole.CAM).exists():
        raise ServiceError(_("Only a channel account manager can be assigned to a partner."), field="cam")
    assign_perm("partners.manage_partner", cam, partner)
    audit_record(actor=actor, action="partner.cam_assigned", obj=partner, to_state=cam.email)


@transaction.atomic
def partner_unassign_cam(*, actor, partner: Partner, cam) -> None:
    remove_perm("partners.manage_partner", cam, partner)
    audit_record(actor=actor, action="partner.cam_unassigned", obj=partner, from_state=cam.email)


@transaction.atomic
def partner_set_active(*, actor, partner: Partner, active: bool, reason: str = "") -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.is_active == active:
        return partner
    partner.is_active = active
    partner.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="partner.activated" if active else "partner.deactivated",
        obj=partner,
        from_state="inactive" if active else "active",
        to_state="active" if active else "inactive",
        reason=reason,
    )
    if not active:
        for membership in partner.memberships.select_related("user"):
            user_end_sessions(user=membership.user)
    return partner
