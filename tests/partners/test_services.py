"""Partner services: memberships, roles and CAM assignment, each audited."""

import pytest
from django.urls import reverse

from partners.models import Membership, PartnerRole
from partners.roles import StaffRole
from partners.services import (
    membership_add,
    membership_change_role,
    membership_remove,
    partner_assign_cam,
    partner_set_active,
)
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from prm.roles import ensure_staff_groups
from tests.factories import PartnerFactory, UserFactory, staff_user


def test_membership_add_ties_a_user_to_a_partner_and_audits(world):
    user = UserFactory()
    membership = membership_add(
        actor=world["partner_a_admin"], user=user, partner=world["partner_a"], role=PartnerRole.MARKETING
    )
    assert (membership.user, membership.partner, membership.role) == (user, world["partner_a"], "marketing")
    event = AuditEvent.objects.get(action="membership.added")
    assert (event.actor_id, event.to_state, event.partner_id) == (
        world["partner_a_admin"].pk,
        "marketing",
        world["partner_a"].pk,
    )


def test_membership_add_refuses_staff_users(world):
    with pytest.raises(ServiceError) as error:
        membership_add(actor=world["channel_manager"], user=world["cam_a"], partner=world["partner_a"], role="sales")
    assert error.value.field == "user"
    assert not Membership.objects.filter(user=world["cam_a"]).exists()
    assert not AuditEvent.objects.filter(action="membership.added").exists()


def test_membership_add_refuses_a_second_membership(world):
    user = world["partner_b_user"]
    with pytest.raises(ServiceError) as error:
        membership_add(actor=world["channel_manager"], user=user, partner=world["partner_a"], role="sales")
    assert error.value.field == "user"
    assert str(error.value.message) == "This user already belongs to a partner."
    assert Membership.objects.get(user=user).partner == world["partner_b"]


def test_membership_add_refuses_an_unknown_role(world):
    with pytest.raises(ServiceError) as error:
        membership_add(actor=world["channel_manager"], user=UserFactory(), partner=world["partner_a"], role="owner")
    assert error.value.field == "role"
    assert Membership.objects.count() == 3


def test_membership_change_role_audits_and_notifies(world):
    membership = world["partner_a_sales"].membership
    membership_change_role(actor=world["partner_a_admin"], membership=membership, role=PartnerRole.ADMIN)
    membership.refresh_from_db()
    assert membership.role == "admin"
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.actor_id, event.from_state, event.to_state) == (world["partner_a_admin"].pk, "sales", "admin")
    assert event.partner_id == world["partner_a"].pk
    notification = Notification.objects.get(kind="membership.role_changed")
    assert notification.recipient == world["partner_a_sales"]
    assert notification.dedupe_key == f"audit:{event.pk}"


def test_membership_change_role_to_the_same_role_changes_nothing(world):
    membership = world["partner_a_sales"].membership
    membership_change_role(actor=world["partner_a_admin"], membership=membership, role="sales")
    assert not AuditEvent.objects.filter(action="membership.role_changed").exists()
    assert not Notification.objects.filter(kind="membership.role_changed").exists()


def test_membership_change_role_refuses_an_unknown_role(world):
    membership = world["partner_a_sales"].membership
    with pytest.raises(ServiceError):
        membership_change_role(actor=world["partner_a_admin"], membership=membership, role="boss")
    membership.refresh_from_db()
    assert membership.role == "sales"


def test_membership_remove_audits_and_deletes(world):
    user = world["partner_a_sales"]
    membership_remove(actor=world["partner_a_admin"], membership=user.membership, reason="left the company")
    assert not Membership.objects.filter(user=user).exists()
    event = AuditEvent.objects.get(action="membership.removed")
    assert (event.from_state, event.to_state, event.reason) == ("sales", "removed", "left the company")
    assert event.partner_id == world["partner_a"].pk


def test_partner_assign_cam_grants_the_partner_and_audits(world):
    from guardian.models import UserObjectPermission

    from partners.models import PartnerUserObjectPermission

    partner = PartnerFactory()
    partner_assign_cam(actor=world["channel_manager"], partner=partner, cam=world["cam_a"])
    assert world["cam_a"].has_perm("partners.manage_partner", partner)
    assert PartnerUserObjectPermission.objects.filter(user=world["cam_a"], content_object=partner).exists()
    assert not UserObjectPermission.objects.exists()
    event = AuditEvent.objects.get(action="partner.cam_assigned")
    assert (event.partner_id, event.to_state) == (partner.pk, world["cam_a"].email)


@pytest.mark.parametrize("role", ["partner_a_admin", "channel_manager", "executive"])
def test_partner_assign_cam_refuses_a_non_cam(world, role):
    partner = PartnerFactory()
    with pytest.raises(ServiceError) as error:
        partner_assign_cam(actor=world["channel_manager"], partner=partner, cam=world[role])
    assert error.value.field == "cam"
    assert not world[role].has_perm("partners.manage_partner", partner)
    assert not AuditEvent.objects.filter(action="partner.cam_assigned").exists()


def test_partner_assign_cam_refuses_a_former_staff_member_still_in_the_cam_group(world):
    from django.contrib.auth.models import Group

    user = UserFactory()
    user.groups.add(Group.objects.get(name=StaffRole.CAM))
    with pytest.raises(ServiceError):
        partner_assign_cam(actor=world["channel_manager"], partner=world["partner_a"], cam=user)


def test_deactivating_a_partner_audits_and_ends_its_users_sessions(client, world):
    user = world["partner_a_sales"]
    client.force_login(user)
    partner_set_active(
        actor=world["channel_manager"], partner=world["partner_a"], active=False, reason="contract ended"
    )
    event = AuditEvent.objects.get(action="partner.deactivated")
    assert (event.from_state, event.to_state, event.reason) == ("active", "inactive", "contract ended")
    assert client.get(reverse("profile")).status_code == 302


def test_staff_groups_are_created_idempotently(db):
    from django.contrib.auth.models import Group

    ensure_staff_groups()
    ensure_staff_groups()
    assert set(Group.objects.values_list("name", flat=True)) >= set(StaffRole.LABELS)
    executive = Group.objects.get(name=StaffRole.EXECUTIVE)
    codenames = set(executive.permissions.values_list("codename", flat=True))
    assert "view_all_partners" in codenames
    assert not any(code.startswith(("add_", "change_", "delete_")) for code in codenames)


def test_cam_sees_only_through_its_assignment(world):
    assert staff_user(StaffRole.CAM).has_perm("partners.manage_partner", world["partner_a"]) is False
