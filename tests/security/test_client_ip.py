"""One client-IP rule (prm.client_ip) for the API throttles, allauth's rate limits and the audit trail.

X-Forwarded-For is believed only as far as TRUSTED_PROXY_COUNT proxies wrote it (0 by default).
"""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from prm.audit.models import AuditEvent
from prm.client_ip import client_ip
from tests.factories import PASSWORD

PROXY = "10.0.0.1"
CLIENT = "203.0.113.5"
OTHER_CLIENT = "203.0.113.6"
SPOOFED = "198.51.100.77"


def _request(remote_addr=CLIENT, forwarded=None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded", "expected"),
    [
        (0, CLIENT, None, CLIENT),
        (0, CLIENT, SPOOFED, CLIENT),  # no proxy configured: the header is the client's word
        (1, PROXY, CLIENT, CLIENT),
        (1, PROXY, f"{SPOOFED}, {CLIENT}", CLIENT),  # what the client wrote is left of the proxy's entry
        (2, PROXY, f"{SPOOFED}, {CLIENT}, 10.0.0.2", CLIENT),
        (2, PROXY, CLIENT, PROXY),  # fewer entries than proxies: not written by them
        (1, PROXY, None, PROXY),
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, " 2001:db8::1 ", "2001:db8::1"),
        (0, "", None, None),
    ],
)
def test_client_ip_believes_only_the_configured_proxies(settings, proxies, remote_addr, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(remote_addr, forwarded)) == expected


def test_the_setting_is_zero_by_default_and_drf_is_told_the_same():
    from django.conf import settings
    from rest_framework.settings import api_settings

    assert settings.TRUSTED_PROXY_COUNT == 0
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT


# --- DRF throttles ---------------------------------------------------------------------------------


def test_every_throttle_of_the_api_identifies_clients_by_the_rule():
    from rest_framework.settings import api_settings

    from partners.recruitment import ApplicationRateThrottle
    from prm.client_ip import ClientIpIdent

    classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, ApplicationRateThrottle]
    assert all(issubclass(throttle, ClientIpIdent) for throttle in classes), classes


def _apply(api, **extra):
    return api.post(reverse("application-list"), {}, format="json", **extra)


def _throttle(api, **extra):
    """Post until the application throttle answers 429 (it allows a handful an hour)."""
    for _attempt in range(100):
        if _apply(api, **extra).status_code == 429:
            return
    pytest.fail("the application throttle never answered 429")


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_escape_the_api_throttle():
    api = APIClient(raise_request_exception=False)
    _throttle(api, REMOTE_ADDR=CLIENT)
    assert _apply(api, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=SPOOFED).status_code == 429
    assert _apply(api, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {OTHER_CLIENT}").status_code == 429


@pytest.mark.django_db
def test_behind_one_proxy_the_throttle_counts_the_address_the_proxy_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    api = APIClient(raise_request_exception=False)
    _throttle(api, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT)
    assert _apply(api, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}").status_code == 429
    # Another client behind the same proxy is somebody else.
    assert _apply(api, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT).status_code != 429


# --- allauth -----------------------------------------------------------------------------------------

LOGIN_FAILED_PER_IP = 10  # ACCOUNT_RATE_LIMITS["login_failed"]: "10/m/ip,..."


def _failed_login(client, n, **extra):
    # A different account each time, so that the per-account limit stays out of the way.
    return client.post(reverse("account_login"), {"login": f"nobody{n}@example.com", "password": "wrong"}, **extra)


def _login_limited(response) -> bool:
    return response.status_code == 429 or "Too many failed login attempts" in response.content.decode()


def test_allauth_uses_the_same_client_ip(settings, rf):
    from allauth.account.adapter import get_adapter

    settings.TRUSTED_PROXY_COUNT = 1
    request = _request(PROXY, f"{SPOOFED}, {CLIENT}")
    assert get_adapter(request).get_client_ip(request) == CLIENT


@pytest.mark.django_db
def test_a_spoofed_forwarded_for_does_not_escape_the_login_limit(client):
    for n in range(LOGIN_FAILED_PER_IP):
        assert not _login_limited(_failed_login(client, n, REMOTE_ADDR=CLIENT))
    assert _login_limited(_failed_login(client, 99, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=SPOOFED))


@pytest.mark.django_db
def test_behind_one_proxy_the_login_limit_counts_the_address_the_proxy_appended(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(LOGIN_FAILED_PER_IP):
        assert not _login_limited(_failed_login(client, n, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT))
    assert _login_limited(_failed_login(client, 98, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}"))
    assert not _login_limited(_failed_login(client, 99, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OTHER_CLIENT))


# --- audit trail -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("proxies", "recorded"), [(0, PROXY), (1, CLIENT)])
def test_the_audit_event_records_the_same_client_ip(client, world, settings, proxies, recorded):
    settings.TRUSTED_PROXY_COUNT = proxies
    user = world["partner_a_admin"]
    client.post(
        reverse("account_login"),
        {"login": user.email, "password": PASSWORD},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}",
    )
    client.post(
        reverse("profile"), {"name": "CRM sync"}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{SPOOFED}, {CLIENT}"
    )
    login = AuditEvent.objects.get(action="login.succeeded", actor=user)
    token = AuditEvent.objects.filter(actor=user).exclude(action="login.succeeded").latest("pk")
    assert (login.ip, token.ip) == (recorded, recorded)
