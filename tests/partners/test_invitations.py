"""Invitations: one link that sets the password, works once, expires, and can be resent or withdrawn."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation

from partners.invitations import (
    InvitationUnusable,
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_token,
)
from partners.models import Invitation, Membership, OnboardingProgress
from prm.accounts.models import User, hash_token
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from prm.notifications.services import notification_deliver
from tests.factories import OnboardingStepFactory

GOOD_PASSWORD = "violet-harbour-lantern-42"


class Clock:
    """A controlled ``timezone.now``: it moves only when the test says so."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    controlled = Clock(timezone.now().replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", controlled)
    return controlled


@pytest.fixture
def invite(world):
    def make(email="new.colleague@partner-a.example", role="sales", actor=None, **kwargs):
        return invitation_create(
            actor=actor or world["partner_a_admin"], partner=world["partner_a"], email=email, role=role, **kwargs
        )

    return make


def test_an_invitation_creates_an_inactive_account_a_membership_and_a_hashed_link(world, invite, clock):
    invitation = invite(email="  Nina.Colleague@Partner-A.example ", role="marketing", first_name="Nina")
    user = invitation.user
    assert user.email == "nina.colleague@partner-a.example"
    assert user.first_name == "Nina"
    assert not user.is_active
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).partner == world["partner_a"]
    assert Membership.objects.get(user=user).role == "marketing"
    token = invitation_token(invitation)
    assert invitation.token_hash == hash_token(token)
    assert invitation.expires_at == invitation.created_at + timedelta(days=7) == clock.now + timedelta(days=7)
    event = AuditEvent.objects.get(action="invitation.created")
    assert (event.actor_id, event.partner_id, event.to_state) == (
        world["partner_a_admin"].pk,
        world["partner_a"].pk,
        "marketing",
    )


def test_the_token_is_stored_nowhere(world, invite):
    invitation = invite()
    token = invitation_token(invitation)
    notification = Notification.objects.get(kind="partner.invitation")
    assert token not in str(notification.params) + notification.url
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM partners_invitation WHERE token_hash = %s", [token])
        assert cursor.fetchone()[0] == 0


def test_the_invitation_email_carries_the_link_partner_and_role(world, invite, settings):
    invitation = invite(role="sales")
    notification = Notification.objects.get(kind="partner.invitation")
    assert (notification.recipient, notification.to_email) == (None, "new.colleague@partner-a.example")
    notification_deliver(notification_id=notification.pk)
    message = mail.outbox[-1]
    assert message.to == ["new.colleague@partner-a.example"]
    assert "Partner A" in message.subject
    link = f"{settings.SITE_URL}{reverse('invitation_accept', args=[invitation_token(invitation)])}"
    assert link in message.body
    assert "Sales" in message.body
    assert "7 days" in message.body


def test_the_invitation_is_written_in_the_inviters_current_language(world, invite):
    with translation.override("fr"):
        invitation = invite()
    assert Notification.objects.get(kind="partner.invitation").language == "fr"
    assert invitation.user.language == "fr"


def test_without_an_active_language_the_partner_country_decides(world):
    with translation.override(None):
        invitation_create(actor=None, partner=world["partner_b"], email="chef@b.example", role="admin")
        invitation_create(actor=None, partner=world["partner_a"], email="chefe@a.example", role="admin")
    assert Notification.objects.get(to_email="chef@b.example").language == "fr"
    assert Notification.objects.get(to_email="chefe@a.example").language == "pt-br"


def test_a_resent_invitation_keeps_the_invitees_language(world, invite):
    with translation.override("pt-br"):
        invitation = invite()
    invitation_resend(actor=world["partner_a_admin"], invitation=invitation)
    assert set(Notification.objects.values_list("language", flat=True)) == {"pt-br"}


@pytest.mark.parametrize("who", ["cam_a", "partner_b_user"])
def test_staff_emails_and_other_partners_members_are_refused_with_one_message(world, invite, who):
    with pytest.raises(ServiceError) as error:
        invite(email=world[who].email.upper())
    assert error.value.field == "email"
    assert str(error.value.message) == "This email address cannot be invited. Ask the person for another address."
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(action="invitation.created").exists()


def test_a_member_or_a_pending_invitee_cannot_be_invited_twice(world, invite):
    with pytest.raises(ServiceError, match="already a member"):
        invite(email=world["partner_a_sales"].email)
    invite(email="twice@partner-a.example")
    with pytest.raises(ServiceError, match="already invited"):
        invite(email="twice@partner-a.example")
    assert Invitation.objects.count() == 1


@pytest.mark.parametrize(
    ("email", "role", "field"), [("not-an-email", "sales", "email"), ("x@y.example", "owner", "role")]
)
def test_bad_email_or_role_is_a_field_error(world, invite, email, role, field):
    with pytest.raises(ServiceError) as error:
        invite(email=email, role=role)
    assert error.value.field == field
    assert not User.objects.filter(email=email).exists()


def test_only_a_partner_admin_of_that_partner_invites(world, invite):
    with pytest.raises(PermissionDenied):
        invite(actor=world["partner_a_sales"])
    with pytest.raises(Http404):
        invite(actor=world["partner_b_user"])
    assert not Invitation.objects.exists()


def test_a_former_member_can_be_invited_again_and_is_locked_out_until_accepting(world, invite, client):
    from partners.services import membership_remove

    former = world["partner_a_sales"]
    membership_remove(actor=world["partner_a_admin"], membership=former.membership)
    invitation_create(actor=world["partner_b_user"], partner=world["partner_b"], email=former.email, role="sales")
    former.refresh_from_db()
    assert not former.is_active and not former.has_usable_password()
    assert Membership.objects.get(user=former).partner == world["partner_b"]


def test_accepting_sets_the_password_activates_and_verifies_the_email(world, invite, client):
    invitation = invite()
    user = invitation_accept(token=invitation_token(invitation), password=GOOD_PASSWORD)
    user.refresh_from_db()
    assert user.is_active and user.check_password(GOOD_PASSWORD)
    address = EmailAddress.objects.get(user=user)
    assert address.verified and address.primary and address.email == user.email
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert AuditEvent.objects.filter(action="invitation.accepted", actor=user).exists()
    response = client.post(reverse("account_login"), {"login": user.email, "password": GOOD_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_an_invitation_works_once(world, invite):
    invitation = invite()
    token = invitation_token(invitation)
    invitation_accept(token=token, password=GOOD_PASSWORD)
    with pytest.raises(InvitationUnusable) as error:
        invitation_accept(token=token, password="another-password-987")
    assert error.value.gone
    assert invitation.user.__class__.objects.get(pk=invitation.user_id).check_password(GOOD_PASSWORD)


def test_an_invitation_expires_after_seven_days(world, invite, clock):
    invitation = invite()
    token = invitation_token(invitation)
    clock.advance(days=7, minutes=-1)
    assert invitation_for_token(token).pk == invitation.pk
    clock.advance(minutes=1)
    with pytest.raises(InvitationUnusable) as error:
        invitation_accept(token=token, password=GOOD_PASSWORD)
    assert error.value.gone
    assert "expired" in str(error.value.message)
    assert not User.objects.get(pk=invitation.user_id).is_active


def test_the_expiry_follows_the_setting(world, invite, clock, settings):
    settings.INVITATION_MAX_AGE_DAYS = 2
    invitation = invite()
    assert invitation.expires_at == clock.now + timedelta(days=2)


def test_an_unknown_token_is_not_gone_but_unknown(db):
    with pytest.raises(InvitationUnusable) as error:
        invitation_accept(token="f" * 64, password=GOOD_PASSWORD)
    assert not error.value.gone


def test_a_withdrawn_invitation_no_longer_works_and_the_person_leaves_the_team(world, invite):
    invitation = invite()
    invitation_revoke(actor=world["partner_a_admin"], invitation=invitation)
    with pytest.raises(InvitationUnusable) as error:
        invitation_accept(token=invitation_token(invitation), password=GOOD_PASSWORD)
    assert error.value.gone and "withdrawn" in str(error.value.message)
    assert not Membership.objects.filter(user=invitation.user).exists()
    assert AuditEvent.objects.filter(action="invitation.revoked", partner_id=world["partner_a"].pk).exists()
    with pytest.raises(ServiceError):
        invitation_revoke(actor=world["partner_a_admin"], invitation=invitation)


def test_resending_issues_a_new_link_and_kills_the_old_one(world, invite, clock):
    old = invite()
    old_token = invitation_token(old)
    clock.advance(days=8)
    new = invitation_resend(actor=world["partner_a_admin"], invitation=old)
    new_token = invitation_token(new)
    assert new_token != old_token
    assert new.expires_at == clock.now + timedelta(days=7)
    with pytest.raises(InvitationUnusable):
        invitation_for_token(old_token)
    assert Notification.objects.filter(kind="partner.invitation").count() == 2
    assert AuditEvent.objects.filter(action="invitation.resent").exists()
    user = invitation_accept(token=new_token, password=GOOD_PASSWORD)
    assert user.is_active


def test_only_partner_admins_resend_or_withdraw(world, invite):
    invitation = invite()
    with pytest.raises(PermissionDenied):
        invitation_resend(actor=world["partner_a_sales"], invitation=invitation)
    with pytest.raises(Http404):
        invitation_revoke(actor=world["partner_b_user"], invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_a_weak_password_is_refused_with_the_validators_messages(world, invite):
    invitation = invite(email="jean.dupont@partner-a.example", first_name="Jean", last_name="Dupont")
    token = invitation_token(invitation)
    with pytest.raises(ServiceError) as error:
        invitation_accept(token=token, password="123")
    assert error.value.field == "password"
    assert "This password is too short. It must contain at least 10 characters." in error.value.messages
    assert "This password is entirely numeric." in error.value.messages
    with translation.override("fr"), pytest.raises(ServiceError) as error:
        invitation_accept(token=token, password="password123")
    assert any("trop courant" in message for message in error.value.messages)
    user = User.objects.get(pk=invitation.user_id)
    assert not user.is_active and not user.has_usable_password()
    assert invitation_for_token(token).pk == invitation.pk


def test_inviting_and_accepting_complete_the_invite_onboarding_step(world, invite):
    step = OnboardingStepFactory(program=world["partner_a"].program, kind="invite", colleagues_required=2)
    invite(email="one@partner-a.example")
    # partner A already has a second user (sales) besides its first admin: two colleagues.
    assert OnboardingProgress.objects.filter(partner=world["partner_a"], step=step).exists()


# --- the accept page ---------------------------------------------------------------------------


def test_the_accept_page_sets_the_password_signs_in_and_goes_home(world, invite, client):
    invitation = invite()
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    page = client.get(url)
    assert page.status_code == 200
    assert "Partner A" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    response = client.post(url, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "Welcome! Your password is set and you are signed in." in home.content.decode()
    assert int(client.session["_auth_user_id"]) == invitation.user_id


def test_the_accept_page_asks_for_the_same_password_twice(world, invite, client):
    invitation = invite()
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = client.post(url, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD + "x"})
    assert response.status_code == 400
    assert "The two passwords do not match." in response.content.decode()
    assert not User.objects.get(pk=invitation.user_id).is_active


def test_the_accept_page_shows_password_errors_in_the_visitors_language(world, invite, client):
    invitation = invite()
    url = reverse("invitation_accept", args=[invitation_token(invitation)])
    response = client.post(url, {"password1": "abc", "password2": "abc"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Ce mot de passe est trop court" in response.content.decode()
    assert "_auth_user_id" not in client.session


def _page(client, token):
    response = client.get(reverse("invitation_accept", args=[token]))
    return response.status_code, response.content.decode()


def test_an_unusable_link_shows_a_clear_page_that_names_nobody(world, invite, client, clock):
    used, withdrawn, expired = (
        invite(email="used@a.example"),
        invite(email="gone@a.example"),
        invite(email="old@a.example"),
    )
    invitation_accept(token=invitation_token(used), password=GOOD_PASSWORD)
    invitation_revoke(actor=world["partner_a_admin"], invitation=withdrawn)
    clock.advance(days=8)
    cases = {
        "unknown": (_page(client, "0" * 64), 404, "not valid"),
        "used": (_page(client, invitation_token(used)), 410, "used already"),
        "withdrawn": (_page(client, invitation_token(withdrawn)), 410, "withdrawn"),
        "expired": (_page(client, invitation_token(expired)), 410, "expired"),
    }
    for name, ((status, html), want_status, words) in cases.items():
        assert status == want_status, name
        assert words in html, name
        for secret in ("Partner A", "used@a.example", "gone@a.example", "old@a.example"):
            assert secret not in html, (name, secret)
    post = client.post(
        reverse("invitation_accept", args=[invitation_token(expired)]),
        {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD},
    )
    assert post.status_code == 410
    assert not User.objects.get(pk=expired.user_id).is_active
