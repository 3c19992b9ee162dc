"""Vendor staff without TOTP reach nothing but MFA enrolment, logout and the language switch:
every HTML route sends them to TOTP set-up, every API route answers 403 to their session and
401 to their tokens, and they cannot create personal tokens. Partner users are not concerned."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from prm.accounts.models import ApiToken
from prm.accounts.services import api_token_create
from prm.errors import ServiceError
from tests.factories import PASSWORD

SETUP = reverse("mfa_activate_totp")


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def remove_mfa(user) -> None:
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()


@pytest.fixture(autouse=True)
def production(settings):
    """DEBUG off: the demo exemption does not apply."""
    settings.DEBUG = False
    settings.MFA_EXEMPT_DEMO_STAFF = False


@pytest.fixture
def cam(world, client):
    client.force_login(world["cam_a"])
    return client


# --- the API through the session ----------------------------------------------------------------


def test_session_api_read_by_staff_without_mfa_is_403_with_a_clear_message(cam):
    response = cam.get("/api/v1/deals/")
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "mfa_required"
    assert "two-factor authentication" in response.json()["detail"]
    assert SETUP in response.json()["detail"]


def test_session_api_write_by_staff_without_mfa_is_403_and_changes_nothing(cam, world):
    response = cam.patch(reverse("api_me"), {"language": "fr"}, content_type="application/json")
    assert response.status_code == 403
    world["cam_a"].refresh_from_db()
    assert world["cam_a"].language != "fr"
    assert cam.post("/api/v1/leads/", {}, content_type="application/json").status_code == 403


def test_staff_with_mfa_reach_the_api(cam, world, mfa):
    mfa(world["cam_a"])
    assert cam.get("/api/v1/deals/").status_code == 200


def test_demo_staff_are_exempt_only_when_the_setting_allows_it(cam, world, settings):
    type(world["cam_a"]).objects.filter(pk=world["cam_a"].pk).update(is_demo=True)
    assert cam.get("/api/v1/deals/").status_code == 403
    settings.MFA_EXEMPT_DEMO_STAFF = True
    assert cam.get("/api/v1/deals/").status_code == 200


# --- HTML ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/deals/", "/leads/", "/profile/", "/notifications/", "/apply/"])
def test_html_pages_send_staff_without_mfa_to_totp_set_up(cam, path):
    response = cam.get(path)
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == SETUP
    assert parse_qs(location.query) == {"next": [path]}


def test_a_refused_post_is_sent_to_set_up_without_a_next_to_come_back_to(cam):
    response = cam.post(reverse("notification_read_all"))
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_a_refused_get_too_long_to_come_back_to_is_sent_to_set_up_without_next(cam):
    response = cam.get("/deals/", {"q": "x" * 20_000})
    assert response.status_code == 302
    assert response["Location"] == SETUP


def test_htmx_requests_are_refused_and_a_click_leads_to_set_up(cam):
    poll = cam.get(reverse("notification_count"), HTTP_HX_REQUEST="true", HTTP_X_BACKGROUND_POLL="1")
    assert poll.status_code == 403
    assert "HX-Redirect" not in poll
    click = cam.post(reverse("notification_read_all"), HTTP_HX_REQUEST="true")
    assert click.status_code == 403
    assert click["HX-Redirect"] == SETUP


@pytest.mark.parametrize("path", ["/static/no-such-file.css", "/accounts/2fa/"])
def test_static_files_and_the_mfa_overview_stay_reachable(cam, path):
    assert urlsplit(cam.get(path).get("Location", "")).path != SETUP


def test_staff_without_mfa_can_log_out_and_switch_language(cam, world):
    assert cam.post(reverse("language_set"), {"language": "fr", "next": "/"}).status_code == 302
    world["cam_a"].refresh_from_db()
    assert world["cam_a"].language == "fr"
    assert cam.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in cam.session


def test_staff_without_mfa_enrol_through_reauthentication_and_then_reach_the_api(cam, world):
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    response = cam.get(SETUP)
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("account_reauthenticate")
    reauthenticate = response["Location"]
    assert cam.get(reauthenticate).status_code == 200
    response = cam.post(reauthenticate, {"password": PASSWORD})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == SETUP

    page = cam.get(SETUP)
    assert page.status_code == 200
    secret = page.context["form"].secret
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    response = cam.post(SETUP, {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=world["cam_a"], type=Authenticator.Type.TOTP).exists()

    assert cam.get("/api/v1/deals/").status_code == 200
    assert urlsplit(cam.get("/").get("Location", "")).path != SETUP


# --- personal tokens ----------------------------------------------------------------------------


def test_a_staff_token_stops_working_when_mfa_is_removed(world, mfa):
    staff = world["cam_a"]
    mfa(staff)
    _token, raw = api_token_create(actor=staff, name="Reports")
    assert Client().get("/api/v1/deals/", **bearer(raw)).status_code == 200

    remove_mfa(staff)
    response = Client().get("/api/v1/deals/", **bearer(raw))
    assert response.status_code == 401
    assert "two-factor authentication" in response.json()["detail"]
    assert Client().post("/api/v1/deals/1/approve/", {}, **bearer(raw)).status_code == 401

    mfa(staff)
    assert Client().get("/api/v1/deals/", **bearer(raw)).status_code == 200


def test_the_service_refuses_tokens_to_staff_without_mfa(world):
    with pytest.raises(ServiceError) as refused:
        api_token_create(actor=world["cam_a"], name="Reports")
    assert "two-factor authentication" in str(refused.value.message)
    assert not ApiToken.objects.filter(user=world["cam_a"]).exists()


def test_the_service_creates_tokens_for_staff_with_mfa(world, mfa):
    mfa(world["cam_a"])
    _token, raw = api_token_create(actor=world["cam_a"], name="Reports")
    assert raw.startswith("prm_")


def test_the_profile_page_does_not_create_a_token_for_staff_without_mfa(cam, world):
    response = cam.post(reverse("profile"), {"name": "Reports"})
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == SETUP
    assert not ApiToken.objects.filter(user=world["cam_a"]).exists()


def test_the_profile_page_explains_why_instead_of_offering_a_token(cam, world, settings):
    """Behind the middleware too: the page itself neither offers nor creates the token."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if not name.endswith("StaffMfaRequiredMiddleware")]
    client = Client(raise_request_exception=False)
    client.force_login(world["cam_a"])
    page = client.get(reverse("profile"))
    assert page.status_code == 200
    assert b'id="token-name"' not in page.content
    assert SETUP.encode() in page.content
    refused = client.post(reverse("profile"), {"name": "Reports"})
    assert refused.status_code == 400
    assert "two-factor authentication" in refused.content.decode()
    assert not ApiToken.objects.filter(user=world["cam_a"]).exists()


def test_partner_users_are_unaffected_and_still_make_tokens(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    page = client.get(reverse("profile"))
    assert b'id="token-name"' in page.content
    response = client.post(reverse("profile"), {"name": "CRM sync"})
    assert response.status_code == 200
    raw = response.context["new_key"]
    assert Client().get(reverse("api_me"), **bearer(raw)).status_code == 200
    assert client.get("/api/v1/deals/").status_code == 200
    assert client.get("/deals/").status_code == 200
