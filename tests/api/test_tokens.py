"""Personal API tokens: created and revoked on the profile page, sent as a Bearer header."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from prm.accounts.models import ApiToken, hash_token
from prm.accounts.services import api_token_create, api_token_revoke


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.fixture
def token(world):
    return api_token_create(actor=world["partner_a_admin"], name="CRM sync")


def test_a_personal_token_authenticates_api_calls(token, world):
    _token, raw = token
    response = Client().get(reverse("api_me"), **bearer(raw))
    assert response.status_code == 200
    assert response.json()["id"] == world["partner_a_admin"].pk


def test_the_token_sees_what_its_user_sees(token, world):
    _token, raw = token
    client = Client()
    assert [p["id"] for p in client.get(reverse("partner-list"), **bearer(raw)).json()["results"]] == [
        world["partner_a"].pk
    ]
    assert client.get(reverse("partner-detail", args=[world["partner_b"].pk]), **bearer(raw)).status_code == 404


def test_token_use_is_recorded(token):
    api_token, raw = token
    assert api_token.last_used_at is None
    Client().get(reverse("api_me"), **bearer(raw))
    api_token.refresh_from_db()
    assert api_token.last_used_at is not None


def test_a_revoked_token_is_refused(token, world):
    api_token, raw = token
    api_token_revoke(actor=world["partner_a_admin"], token_id=api_token.pk)
    response = Client().get(reverse("api_me"), **bearer(raw))
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid or revoked token."}


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer prm_unknown", "Bearer two parts", "bearer prm_unknown"],
)
def test_bad_bearer_headers_are_401(db, header):
    response = Client().get(reverse("api_me"), HTTP_AUTHORIZATION=header)
    assert response.status_code == 401


def test_only_the_hash_of_a_token_is_stored(token):
    api_token, raw = token
    assert raw.startswith("prm_")
    assert api_token.key_hash == hash_token(raw)
    stored = ApiToken.objects.filter(pk=api_token.pk).values()[0]
    assert raw not in {str(value) for value in stored.values()}


def test_the_profile_page_creates_a_token_and_shows_the_raw_key_once(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    response = client.post(reverse("profile"), {"name": "Reporting"})
    assert response.status_code == 200
    raw = re.search(r'<code id="new-token">([^<]+)</code>', response.content.decode()).group(1)
    token = ApiToken.objects.get(user=user)
    assert token.name == "Reporting"
    assert token.key_hash == hash_token(raw)
    assert Client().get(reverse("api_me"), **bearer(raw)).status_code == 200

    again = client.get(reverse("profile")).content.decode()
    assert raw not in again
    assert "Reporting" in again
    assert token.key_prefix in again


def test_the_profile_page_revokes_a_token(client, world, token):
    api_token, raw = token
    client.force_login(world["partner_a_admin"])
    response = client.post(reverse("profile"), {"revoke": api_token.pk})
    assert response.status_code == 302
    api_token.refresh_from_db()
    assert api_token.revoked_at is not None
    assert Client().get(reverse("api_me"), **bearer(raw)).status_code == 401


def test_nobody_can_revoke_another_users_token(client, world, token):
    api_token, raw = token
    client.force_login(world["partner_a_sales"])
    response = client.post(reverse("profile"), {"revoke": api_token.pk})
    assert response.status_code == 400
    assert "That token does not exist." in response.content.decode()
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


@pytest.mark.parametrize("value", ["abc", "", "1e3"])
def test_revoking_with_a_malformed_id_is_an_error(client, world, value):
    client.force_login(world["partner_a_admin"])
    response = client.post(reverse("profile"), {"revoke": value})
    assert response.status_code == 400


def test_an_over_long_token_name_is_refused_and_no_token_is_created(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.post(reverse("profile"), {"name": "n" * 101})
    assert response.status_code == 400
    assert "The name can have at most 100 characters." in response.content.decode()
    assert 'id="new-token"' not in response.content.decode()
    assert not ApiToken.objects.exists()


def test_a_blank_token_name_is_refused(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.post(reverse("profile"), {"name": "   "})
    assert response.status_code == 400
    assert "Give the token a name." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_profile_form_error_is_in_the_users_language(client, world):
    from django.utils import translation
    from django.utils.html import escape

    user = world["partner_a_admin"]
    type(user).objects.filter(pk=user.pk).update(language="pt-br")
    client.force_login(user)
    response = client.post(reverse("profile"), {"name": ""})
    assert response.status_code == 400
    with translation.override("pt-br"):
        message = translation.gettext("Give the token a name.")
    assert message != "Give the token a name."
    assert escape(message) in response.content.decode()
    assert response.context["LANGUAGE_CODE"] == "pt-br"


@pytest.mark.parametrize("language", ["en", "pt-br", "fr"])
def test_the_profile_page_shows_the_token_placeholder_of_the_bearer_header(client, world, language):
    user = world["partner_a_admin"]
    type(user).objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    html = client.get(reverse("profile")).content.decode()
    assert "Authorization: Bearer &lt;token&gt;." in html
    assert "Bearer ." not in html
