"""Account services: language, tokens, deactivation and ending sessions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse

from prm.accounts.models import ApiToken, User
from prm.accounts.services import (
    api_token_create,
    api_token_revoke,
    user_deactivate,
    user_end_sessions,
    user_set_language,
)
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification


def test_emails_are_stored_lower_case_and_required(db):
    user = User.objects.create_user("Ana.Admin@Example.COM", "long-enough-password")
    assert user.email == "ana.admin@example.com"
    with pytest.raises(ValueError):
        User.objects.create_user("", "long-enough-password")


def test_set_language_remembers_a_known_language(world):
    user = world["partner_a_admin"]
    user_set_language(actor=user, language="pt-br")
    user.refresh_from_db()
    assert user.language == "pt-br"


@pytest.mark.parametrize("code", ["", "xx", "EN", "pt_BR", None])
def test_set_language_refuses_an_unknown_code(world, code):
    user = world["partner_a_admin"]
    with pytest.raises(ServiceError) as error:
        user_set_language(actor=user, language=code)
    assert error.value.field == "language"
    user.refresh_from_db()
    assert user.language == ""


def test_set_language_for_an_anonymous_visitor_writes_nothing(world, django_assert_num_queries):
    visitor = AnonymousUser()
    with django_assert_num_queries(0):
        user_set_language(actor=visitor, language="fr")
    assert not hasattr(visitor, "language")
    assert not User.objects.exclude(language="").exists()


def test_token_create_strips_the_name_audits_and_notifies(world):
    user = world["partner_a_admin"]
    token, raw = api_token_create(actor=user, name="  Reporting  ")
    assert token.name == "Reporting"
    assert token.key_prefix == raw[:10]
    assert token.auth_version == user.auth_version
    assert AuditEvent.objects.get(action="token.created").object_id == str(token.pk)
    notification = Notification.objects.get(kind="account.token_created")
    assert (notification.recipient, notification.params) == (user, {"name": "Reporting"})


def test_token_names_up_to_100_characters_are_accepted(world):
    token, _raw = api_token_create(actor=world["partner_a_admin"], name="n" * 100)
    assert len(token.name) == 100


@pytest.mark.parametrize("name", ["", "   ", None, "n" * 101])
def test_token_create_refuses_a_bad_name(world, name):
    with pytest.raises(ServiceError) as error:
        api_token_create(actor=world["partner_a_admin"], name=name)
    assert error.value.field == "name"
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(action="token.created").exists()


def test_a_user_has_at_most_20_active_tokens(world):
    user = world["partner_a_admin"]
    tokens = [api_token_create(actor=user, name=f"t{index}")[0] for index in range(20)]
    with pytest.raises(ServiceError):
        api_token_create(actor=user, name="one more")
    api_token_revoke(actor=user, token_id=tokens[0].pk)
    api_token_create(actor=user, name="one more")
    assert ApiToken.objects.filter(user=user).count() == 21


def test_revoking_twice_records_one_event(world):
    user = world["partner_a_admin"]
    token, _raw = api_token_create(actor=user, name="t")
    first = api_token_revoke(actor=user, token_id=token.pk).revoked_at
    assert api_token_revoke(actor=user, token_id=token.pk).revoked_at == first
    assert AuditEvent.objects.filter(action="token.revoked").count() == 1


def test_nobody_revokes_another_users_token(world):
    token, _raw = api_token_create(actor=world["partner_a_admin"], name="t")
    with pytest.raises(ApiToken.DoesNotExist):
        api_token_revoke(actor=world["channel_manager"], token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_ending_sessions_retires_existing_tokens_but_not_new_ones(world):
    user = world["partner_a_admin"]
    old, old_raw = api_token_create(actor=user, name="old")
    user_end_sessions(user=user)
    new, new_raw = api_token_create(actor=user, name="new")
    client = Client()
    assert client.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {old_raw}").status_code == 401
    assert client.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {new_raw}").status_code == 200


def test_ending_sessions_logs_out_every_session_of_the_user(world):
    user = world["partner_a_admin"]
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    user_end_sessions(user=user)
    assert first.get(reverse("profile")).status_code == 302
    assert second.get(reverse("profile")).status_code == 302


def test_a_password_change_keeps_the_current_session(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": "correct-horse-battery",
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("profile")).status_code == 200


def test_deactivate_is_audited_once(world):
    user = world["partner_a_sales"]
    user_deactivate(actor=world["channel_manager"], user=user, reason="left")
    user_deactivate(actor=world["channel_manager"], user=user)
    user.refresh_from_db()
    assert not user.is_active
    event = AuditEvent.objects.get(action="user.deactivated")
    assert (event.actor_id, event.reason) == (world["channel_manager"].pk, "left")


def test_a_deactivated_user_cannot_log_in(client, world):
    user = world["partner_a_sales"]
    user_deactivate(actor=world["channel_manager"], user=user)
    client.post(reverse("account_login"), {"login": user.email, "password": "correct-horse-battery"})
    assert "_auth_user_id" not in client.session
