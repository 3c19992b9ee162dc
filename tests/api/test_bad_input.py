"""Bad input answers 4xx with a clear, translated message, never 500, and changes nothing."""

import json

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from prm.accounts.models import ApiToken


@pytest.fixture
def user(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    return user


def oversize(settings) -> str:
    return "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)


def many_fields(settings) -> str:
    return "&".join(f"field{index}=1" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))


FORM = "application/x-www-form-urlencoded"


# --- API -------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["{not json", '{"language": "fr"', "[1, 2", "\xff\xfe", "NaN"])
def test_api_malformed_json_is_400(client, user, body):
    response = client.patch(reverse("api_me"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body could not be read. Send well-formed JSON."}
    user.refresh_from_db()
    assert user.language == ""


@pytest.mark.parametrize("body", ["[]", '"fr"', "null", '{"language": 5}', '{"language": ["fr"]}'])
def test_api_json_of_the_wrong_shape_is_400(client, user, body):
    response = client.patch(reverse("api_me"), body, content_type="application/json")
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.language == ""


def test_api_oversize_json_body_is_413_even_when_it_is_valid(client, user, settings):
    body = json.dumps({"language": "fr", "padding": oversize(settings)})
    response = client.patch(reverse("api_me"), body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request is too large."}
    user.refresh_from_db()
    assert user.language == ""


def test_api_oversize_form_body_is_4xx(client, user, settings):
    response = client.patch(reverse("api_me"), "language=fr&padding=" + oversize(settings), content_type=FORM)
    assert 400 <= response.status_code < 500
    user.refresh_from_db()
    assert user.language == ""


def test_api_too_many_form_fields_is_400(client, user, settings):
    response = client.patch(reverse("api_me"), "language=fr&" + many_fields(settings), content_type=FORM)
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.language == ""


def test_api_too_many_form_fields_with_a_token_is_400(client, world, settings):
    from prm.accounts.services import api_token_create

    _token, raw = api_token_create(actor=world["partner_b_user"], name="t")
    response = client.patch(
        reverse("api_me"), "language=fr&" + many_fields(settings), content_type=FORM, HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "The request has too many fields."}


def test_api_unsupported_media_type_is_415(client, user):
    response = client.patch(reverse("api_me"), "<language>fr</language>", content_type="application/xml")
    assert response.status_code == 415


def test_api_errors_are_translated(client, user):
    response = client.patch(reverse("api_me"), "{not json", content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    with translation.override("fr"):
        expected = translation.gettext("The request body could not be read. Send well-formed JSON.")
    assert expected != "The request body could not be read. Send well-formed JSON."
    assert response.json() == {"detail": expected}
    detail = client.put(reverse("api_me"), HTTP_ACCEPT_LANGUAGE="fr").json()["detail"]
    assert detail.startswith("Méthode") and "non autorisée" in detail


# --- form pages ------------------------------------------------------------------------------


def test_form_oversize_body_is_400_and_creates_nothing(client, user, settings):
    response = client.post(reverse("profile"), "name=" + oversize(settings), content_type=FORM)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_form_too_many_fields_is_400_and_creates_nothing(client, user, settings):
    response = client.post(reverse("profile"), "name=ok&" + many_fields(settings), content_type=FORM)
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_form_posted_as_malformed_json_is_400_and_creates_nothing(client, user):
    response = client.post(reverse("profile"), "{not json", content_type="application/json")
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_language_switch_oversize_and_too_many_fields_are_400(client, user, settings):
    assert (
        client.post(reverse("language_set"), "language=fr&x=" + oversize(settings), content_type=FORM).status_code
        == 400
    )
    assert (
        client.post(reverse("language_set"), "language=fr&" + many_fields(settings), content_type=FORM).status_code
        == 400
    )
    user.refresh_from_db()
    assert user.language == ""
    assert "django_language" not in client.cookies


def test_language_switch_with_malformed_json_changes_nothing(client, user):
    response = client.post(reverse("language_set"), '{"language": "fr"', content_type="application/json")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.language == ""
    assert "django_language" not in response.cookies


# --- language switch --------------------------------------------------------------------------


def test_language_switch_remembers_the_choice(client, user):
    response = client.post(reverse("language_set"), {"language": "fr", "next": "/profile/"})
    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    assert response.cookies["django_language"].value == "fr"
    user.refresh_from_db()
    assert user.language == "fr"


def test_language_switch_for_an_anonymous_visitor_sets_only_the_cookie(client, db):
    response = client.post(reverse("language_set"), {"language": "pt-br"})
    assert response.status_code == 302
    assert response.cookies["django_language"].value == "pt-br"


def test_language_switch_never_redirects_off_site(client, user):
    response = client.post(reverse("language_set"), {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("code", ["xx", "", "de", "pt_BR", "fr" * 200])
def test_bad_language_code_shows_a_translated_error_and_changes_nothing(client, user, code):
    type(user).objects.filter(pk=user.pk).update(language="pt-br")
    response = client.post(reverse("language_set"), {"language": code, "next": "/profile/"}, follow=True)
    assert response.status_code == 200
    with translation.override("pt-br"):
        message = translation.gettext("Choose one of the offered languages.")
    assert message != "Choose one of the offered languages."
    assert escape(message) in response.content.decode()
    assert response.context["LANGUAGE_CODE"] == "pt-br"
    user.refresh_from_db()
    assert user.language == "pt-br"
    assert "django_language" not in client.cookies
