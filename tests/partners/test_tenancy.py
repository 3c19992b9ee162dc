"""The one scoping primitive: who sees which partners and partner-owned rows."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from partners.models import Membership, Partner
from partners.roles import StaffRole
from partners.services import partner_assign_cam, partner_set_active, partner_unassign_cam
from prm.audit.models import AuditEvent
from prm.tenancy import get_visible_or_404, membership_of, sees_all_partners
from tests.factories import UserFactory, staff_user
from tests.scope import VISIBLE_PARTNERS

VISIBLE = VISIBLE_PARTNERS


def visible_partners(world, user) -> set[str]:
    pks = set(Partner.objects.visible_to(user).values_list("pk", flat=True))
    return {name for name in ("partner_a", "partner_b") if world[name].pk in pks}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_visible_to_per_role(world, role):
    assert visible_partners(world, world[role]) == VISIBLE[role]


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_partner_owned_rows_follow_their_partner(world, role):
    memberships = Membership.objects.visible_to(world[role])
    assert {m.partner_id for m in memberships} == {world[name].pk for name in VISIBLE[role]}


@pytest.mark.parametrize(
    "role", [StaffRole.ACQUISITION, StaffRole.MARKETING, StaffRole.TRAINING, StaffRole.CHANNEL_MANAGER]
)
def test_program_staff_see_every_partner(world, role):
    user = staff_user(role)
    assert sees_all_partners(user)
    assert visible_partners(world, user) == {"partner_a", "partner_b"}


def test_anonymous_sees_nothing(world):
    assert not Partner.objects.visible_to(AnonymousUser()).exists()


def test_a_user_without_partner_or_staff_role_sees_nothing(world):
    assert not Partner.objects.visible_to(UserFactory()).exists()


def test_staff_without_a_role_see_nothing(world):
    assert not Partner.objects.visible_to(UserFactory(is_staff=True)).exists()


def test_a_non_staff_user_with_the_see_all_permission_sees_nothing(world):
    from django.contrib.auth.models import Permission

    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="view_all_partners"))
    assert not Partner.objects.visible_to(user).exists()


def test_inactive_users_see_nothing(world):
    for role in ("partner_a_admin", "channel_manager", "cam_a"):
        user = world[role]
        user.is_active = False
        assert not Partner.objects.visible_to(user).exists(), role


def test_users_of_an_inactive_partner_see_nothing(world):
    partner_set_active(actor=world["channel_manager"], partner=world["partner_a"], active=False)
    for role in ("partner_a_admin", "partner_a_sales"):
        user = type(world[role]).objects.get(pk=world[role].pk)
        assert not Partner.objects.visible_to(user).exists()
        assert not Membership.objects.visible_to(user).exists()
    assert visible_partners(world, world["partner_b_user"]) == {"partner_b"}
    assert "partner_a" in visible_partners(world, world["channel_manager"])
    assert "partner_a" in visible_partners(world, world["cam_a"])


def test_a_cam_sees_a_partner_from_assignment_until_unassignment(world):
    cam = world["cam_other"]
    partner_assign_cam(actor=world["channel_manager"], partner=world["partner_a"], cam=cam)
    assert visible_partners(world, type(cam).objects.get(pk=cam.pk)) == {"partner_a", "partner_b"}
    partner_unassign_cam(actor=world["channel_manager"], partner=world["partner_a"], cam=cam)
    assert visible_partners(world, type(cam).objects.get(pk=cam.pk)) == {"partner_b"}


def test_the_membership_is_read_once_per_user_object(world, django_assert_num_queries):
    user = type(world["partner_a_admin"]).objects.get(pk=world["partner_a_admin"].pk)
    with django_assert_num_queries(1):
        membership_of(user)
        membership_of(user)
        Partner.objects.visible_to(user)


def test_get_visible_or_404_returns_a_visible_object(world):
    partner = get_visible_or_404(Partner.objects.all(), world["cam_a"], pk=world["partner_a"].pk)
    assert partner == world["partner_a"]


def test_get_visible_or_404_out_of_scope_is_404_and_recorded(world):
    with pytest.raises(Http404):
        get_visible_or_404(Partner.objects.all(), world["cam_other"], pk=world["partner_a"].pk)
    event = AuditEvent.objects.get(action="access.denied")
    assert event.actor_id == world["cam_other"].pk
    assert event.reason == "partners.Partner"


def test_get_visible_or_404_missing_is_404_and_not_recorded(world):
    with pytest.raises(Http404):
        get_visible_or_404(Partner.objects.all(), world["cam_other"], pk=999_999)
    assert not AuditEvent.objects.filter(action="access.denied").exists()
