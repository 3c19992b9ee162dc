"""Team management: the rules of roles and deactivation, and the team page that applies them."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.invitations import invitation_create, invitation_for_token, invitation_token
from partners.models import Invitation, Membership
from partners.services import membership_change_role, membership_remove, team_member_deactivate
from prm.accounts.models import User
from prm.accounts.services import api_token_create
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from tests.factories import partner_user


def reload(membership):
    return Membership.objects.select_related("user").get(pk=membership.pk)


@pytest.fixture
def second_admin(world):
    return partner_user(world["partner_a"], "admin")


# --- roles ---------------------------------------------------------------------------------------


def test_nobody_raises_their_own_role(world):
    sales = world["partner_a_sales"]
    with pytest.raises(ServiceError) as error:
        membership_change_role(actor=sales, membership=sales.membership, role="admin")
    assert str(error.value.message) == "Nobody can raise their own role."
    assert reload(sales.membership).role == "sales"
    assert not AuditEvent.objects.filter(action="membership.role_changed").exists()


def test_a_non_admin_cannot_change_roles(world):
    with pytest.raises(PermissionDenied):
        membership_change_role(
            actor=world["partner_a_sales"], membership=world["partner_a_admin"].membership, role="sales"
        )
    assert reload(world["partner_a_admin"].membership).role == "admin"


def test_an_admin_of_another_partner_meets_a_missing_member(world):
    with pytest.raises(Http404):
        membership_change_role(
            actor=world["partner_b_user"], membership=world["partner_a_sales"].membership, role="marketing"
        )
    with pytest.raises(Http404):
        team_member_deactivate(actor=world["partner_b_user"], membership=world["partner_a_sales"].membership)
    assert reload(world["partner_a_sales"].membership).role == "sales"
    assert world["partner_a_sales"].__class__.objects.get(pk=world["partner_a_sales"].pk).is_active


def test_the_last_active_admin_cannot_be_demoted(world):
    admin = world["partner_a_admin"]
    with pytest.raises(ServiceError, match="last active partner admin"):
        membership_change_role(actor=admin, membership=admin.membership, role="sales")
    with pytest.raises(ServiceError, match="last active partner admin"):
        membership_change_role(actor=world["channel_manager"], membership=admin.membership, role="executive")
    assert reload(admin.membership).role == "admin"


def test_an_admin_may_step_down_when_another_active_admin_remains(world, second_admin):
    admin = world["partner_a_admin"]
    membership_change_role(actor=admin, membership=admin.membership, role="executive")
    assert reload(admin.membership).role == "executive"
    event = AuditEvent.objects.get(action="membership.role_changed")
    assert (event.from_state, event.to_state, event.actor_id) == ("admin", "executive", admin.pk)


def test_a_deactivated_admin_does_not_count_as_the_remaining_admin(world, second_admin):
    admin = world["partner_a_admin"]
    team_member_deactivate(actor=admin, membership=second_admin.membership)
    with pytest.raises(ServiceError, match="last active partner admin"):
        membership_change_role(actor=admin, membership=admin.membership, role="sales")


def test_a_pending_invitee_admin_does_not_count_as_the_remaining_admin(world):
    admin = world["partner_a_admin"]
    invitation_create(actor=admin, partner=world["partner_a"], email="future.admin@a.example", role="admin")
    with pytest.raises(ServiceError, match="last active partner admin"):
        membership_change_role(actor=admin, membership=admin.membership, role="sales")


def test_the_last_active_admin_cannot_be_removed(world):
    with pytest.raises(ServiceError, match="cannot be removed"):
        membership_remove(actor=world["channel_manager"], membership=world["partner_b_user"].membership)
    assert Membership.objects.filter(user=world["partner_b_user"]).exists()


def test_changing_a_pending_invitees_role_updates_the_invitation(world):
    invitation = invitation_create(
        actor=world["partner_a_admin"], partner=world["partner_a"], email="x@a.example", role="sales"
    )
    membership_change_role(actor=world["partner_a_admin"], membership=invitation.user.membership, role="marketing")
    invitation.refresh_from_db()
    assert invitation.role == "marketing"


# --- deactivation --------------------------------------------------------------------------------


def test_deactivation_ends_sessions_and_tokens_at_once_and_deletes_nothing(world):
    target = world["partner_a_sales"]
    browser = Client()
    browser.force_login(target)
    assert browser.get(reverse("profile")).status_code == 200
    _token, raw = api_token_create(actor=target, name="laptop")
    api = Client()
    assert api.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200

    team_member_deactivate(actor=world["partner_a_admin"], membership=target.membership, reason="left")

    assert browser.get(reverse("profile")).status_code == 302
    assert api.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    target.refresh_from_db()
    assert not target.is_active
    assert Membership.objects.filter(user=target, role="sales").exists()
    assert target.api_tokens.count() == 1
    event = AuditEvent.objects.get(action="membership.deactivated")
    assert (event.actor_id, event.partner_id, event.reason) == (
        world["partner_a_admin"].pk,
        world["partner_a"].pk,
        "left",
    )
    assert AuditEvent.objects.filter(action="user.deactivated", object_id=str(target.pk)).exists()


def test_nobody_deactivates_themselves(world, second_admin):
    admin = world["partner_a_admin"]
    with pytest.raises(ServiceError, match="your own account"):
        team_member_deactivate(actor=admin, membership=admin.membership)
    assert User.objects.get(pk=admin.pk).is_active


def test_the_last_active_admin_cannot_be_deactivated(world):
    with pytest.raises(ServiceError, match="last active partner admin"):
        team_member_deactivate(actor=world["channel_manager"], membership=world["partner_b_user"].membership)
    assert User.objects.get(pk=world["partner_b_user"].pk).is_active


def test_a_non_admin_cannot_deactivate(world):
    with pytest.raises(PermissionDenied):
        team_member_deactivate(actor=world["partner_a_sales"], membership=world["partner_a_admin"].membership)
    assert User.objects.get(pk=world["partner_a_admin"].pk).is_active


def test_deactivating_a_pending_invitee_kills_the_link(world):
    invitation = invitation_create(
        actor=world["partner_a_admin"], partner=world["partner_a"], email="late@a.example", role="sales"
    )
    team_member_deactivate(actor=world["partner_a_admin"], membership=invitation.user.membership)
    from partners.invitations import InvitationUnusable

    with pytest.raises(InvitationUnusable):
        invitation_for_token(invitation_token(invitation))


# --- the team page --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, world):
    client.force_login(world["partner_a_admin"])
    return client


def test_the_team_page_lists_members_and_open_invitations(admin_client, world):
    invitation_create(actor=world["partner_a_admin"], partner=world["partner_a"], email="inv@a.example", role="sales")
    User.objects.filter(pk=world["partner_a_sales"].pk).update(first_name="Sara", last_name="Sales")
    html = admin_client.get(reverse("team")).content.decode()
    assert "Sara Sales" in html
    assert world["partner_a_sales"].email in html
    assert "inv@a.example" in html
    assert "Invited" in html
    assert world["partner_b_user"].email not in html
    assert "Invite a colleague" in html
    assert reverse("team_member_deactivate", args=[world["partner_a_sales"].membership.pk]) in html


def test_other_roles_see_the_team_without_actions(client, world):
    client.force_login(world["partner_a_sales"])
    html = client.get(reverse("team")).content.decode()
    assert world["partner_a_admin"].email in html
    assert "Invite a colleague" not in html
    assert "Only your partner admins can invite colleagues and change roles." in html
    assert reverse("team_member_deactivate", args=[world["partner_a_admin"].membership.pk]) not in html


def test_an_empty_invitation_list_says_so(admin_client):
    assert "No open invitations." in admin_client.get(reverse("team")).content.decode()


def test_vendor_staff_have_no_team_page(client, staff_mfa):
    world = staff_mfa
    client.force_login(world["channel_manager"])
    assert client.get(reverse("team")).status_code == 404


def test_inviting_from_the_team_page(admin_client, world):
    response = admin_client.post(reverse("team_invite"), {"email": "colleague@a.example", "role": "marketing"})
    assert response.status_code == 302
    assert Invitation.objects.get(user__email="colleague@a.example").role == "marketing"
    assert "Invitation sent to colleague@a.example" in admin_client.get(reverse("team")).content.decode()


def test_a_refused_invitation_shows_the_translated_error(admin_client, world):
    response = admin_client.post(
        reverse("team_invite"), {"email": world["cam_a"].email, "role": "sales"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "This email address cannot be invited." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_non_admin_cannot_invite_from_the_page(client, world):
    client.force_login(world["partner_a_sales"])
    response = client.post(reverse("team_invite"), {"email": "c@a.example", "role": "sales"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_changing_a_role_from_the_page(admin_client, world):
    membership = world["partner_a_sales"].membership
    response = admin_client.post(reverse("team_member_role", args=[membership.pk]), {"role": "executive"})
    assert response.status_code == 302
    assert reload(membership).role == "executive"
    assert "is now: Executive" in admin_client.get(reverse("team")).content.decode()


def test_raising_your_own_role_from_the_page_is_refused(client, world):
    client.force_login(world["partner_a_sales"])
    membership = world["partner_a_sales"].membership
    response = client.post(reverse("team_member_role", args=[membership.pk]), {"role": "admin"})
    assert response.status_code == 400
    assert "Nobody can raise their own role." in response.content.decode()
    assert reload(membership).role == "sales"


def test_demoting_the_last_admin_from_the_page_is_refused(admin_client, world):
    membership = world["partner_a_admin"].membership
    response = admin_client.post(reverse("team_member_role", args=[membership.pk]), {"role": "sales"})
    assert response.status_code == 400
    assert "last active partner admin" in response.content.decode()
    assert reload(membership).role == "admin"


@pytest.mark.parametrize("route", ["team_member_role", "team_member_deactivate"])
def test_acting_on_another_partners_member_answers_404(client, world, route):
    client.force_login(world["partner_b_user"])
    membership = world["partner_a_sales"].membership
    response = client.post(reverse(route, args=[membership.pk]), {"role": "marketing"})
    assert response.status_code == 404
    assert reload(membership).role == "sales" and reload(membership).user.is_active


@pytest.mark.parametrize("route", ["team_member_role", "team_member_deactivate"])
def test_a_non_admin_acting_answers_403(client, world, second_admin, route):
    client.force_login(world["partner_a_sales"])
    response = client.post(reverse(route, args=[second_admin.membership.pk]), {"role": "sales"})
    assert response.status_code == 403
    assert reload(second_admin.membership).role == "admin" and reload(second_admin.membership).user.is_active


def test_deactivating_from_the_page_signs_the_member_out(admin_client, world):
    target = world["partner_a_sales"]
    theirs = Client()
    theirs.force_login(target)
    response = admin_client.post(reverse("team_member_deactivate", args=[target.membership.pk]))
    assert response.status_code == 302
    assert theirs.get(reverse("profile")).status_code == 302
    html = admin_client.get(reverse("team")).content.decode()
    assert "is deactivated" in html
    assert "Deactivated" in html


def test_resending_and_withdrawing_from_the_page(admin_client, world):
    invitation = invitation_create(
        actor=world["partner_a_admin"], partner=world["partner_a"], email="inv@a.example", role="sales"
    )
    assert admin_client.post(reverse("team_invitation_resend", args=[invitation.pk])).status_code == 302
    newest = Invitation.objects.filter(revoked_at=None).get(user=invitation.user)
    assert newest.pk != invitation.pk
    assert admin_client.post(reverse("team_invitation_revoke", args=[newest.pk])).status_code == 302
    assert not Invitation.objects.filter(revoked_at=None).exists()
    stale = admin_client.post(reverse("team_invitation_revoke", args=[newest.pk]))
    assert stale.status_code == 400
    assert "This invitation was withdrawn." in stale.content.decode()


def test_another_partners_invitation_answers_404(client, world):
    invitation = invitation_create(
        actor=world["partner_a_admin"], partner=world["partner_a"], email="inv@a.example", role="sales"
    )
    client.force_login(world["partner_b_user"])
    assert client.post(reverse("team_invitation_resend", args=[invitation.pk])).status_code == 404
    assert client.post(reverse("team_invitation_revoke", args=[invitation.pk])).status_code == 404


def test_the_team_page_query_count_does_not_grow_with_members_and_invitations(admin_client, world):
    partner = world["partner_a"]

    def add(count, offset):
        for index in range(offset, offset + count):
            partner_user(partner, "sales")
            invitation_create(
                actor=world["partner_a_admin"], partner=partner, email=f"i{index}@a.example", role="marketing"
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("team")).status_code == 200
        return len(captured)

    add(2, 0)
    admin_client.get(reverse("team"))
    small = queries()
    add(18, 2)
    assert "i19@a.example" in admin_client.get(reverse("team")).content.decode()
    assert queries() == small
