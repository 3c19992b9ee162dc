"""Sessions end after the idle and the absolute limits; deactivation and removal end sessions and tokens."""

import time

import pytest
from django.test import Client
from django.urls import reverse

from partners.services import membership_remove
from prm.accounts.services import api_token_create, user_deactivate


def set_session_times(client, *, started: int, seen: int) -> None:
    session = client.session
    session["prm_started"] = started
    session["prm_seen"] = seen
    session.save()


def is_signed_in(client) -> bool:
    return client.get(reverse("profile")).status_code == 200


@pytest.fixture
def signed_in(client, world):
    client.force_login(world["partner_a_admin"])
    return client


def test_a_recent_session_stays_signed_in(signed_in, settings):
    now = int(time.time())
    set_session_times(
        signed_in,
        started=now - settings.SESSION_ABSOLUTE_TIMEOUT + 120,
        seen=now - settings.SESSION_IDLE_TIMEOUT + 120,
    )
    assert is_signed_in(signed_in)
    assert signed_in.session["prm_seen"] >= now


def test_idle_session_is_logged_out(signed_in, settings):
    now = int(time.time())
    set_session_times(signed_in, started=now - 60, seen=now - settings.SESSION_IDLE_TIMEOUT - 1)
    response = signed_in.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in signed_in.session


def test_session_over_the_absolute_limit_is_logged_out_even_when_active(signed_in, settings):
    now = int(time.time())
    set_session_times(signed_in, started=now - settings.SESSION_ABSOLUTE_TIMEOUT - 1, seen=now - 5)
    assert not is_signed_in(signed_in)


def test_timeouts_follow_the_settings(signed_in, settings):
    settings.SESSION_IDLE_TIMEOUT = 10
    now = int(time.time())
    set_session_times(signed_in, started=now - 20, seen=now - 11)
    assert not is_signed_in(signed_in)


def test_timeouts_apply_to_the_api_with_a_session(signed_in, settings):
    now = int(time.time())
    set_session_times(signed_in, started=now - 60, seen=now - settings.SESSION_IDLE_TIMEOUT - 1)
    assert signed_in.get(reverse("api_me")).status_code == 401


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_deactivating_a_user_ends_their_session_and_tokens(client, world):
    user = world["partner_a_sales"]
    client.force_login(user)
    _token, raw = api_token_create(actor=user, name="script")
    assert client.get(reverse("api_me"), **bearer(raw)).status_code == 200

    user_deactivate(actor=world["channel_manager"], user=user)

    assert not is_signed_in(client)
    assert Client().get(reverse("api_me"), **bearer(raw)).status_code == 401


def test_removing_a_user_from_their_partner_ends_their_session_and_tokens(client, world):
    user = world["partner_a_sales"]
    client.force_login(user)
    _token, raw = api_token_create(actor=user, name="script")
    assert Client().get(reverse("api_me"), **bearer(raw)).status_code == 200

    membership_remove(actor=world["partner_a_admin"], membership=user.membership)

    assert not is_signed_in(client)
    assert Client().get(reverse("api_me"), **bearer(raw)).status_code == 401


def test_other_users_keep_their_sessions_when_one_is_deactivated(client, world):
    client.force_login(world["partner_a_admin"])
    user_deactivate(actor=world["channel_manager"], user=world["partner_a_sales"])
    assert is_signed_in(client)
