"""Failed personal-token authentications are throttled per client IP (prm.accounts.token_failures)."""

from contextlib import contextmanager

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from prm import embedded
from prm.accounts import token_failures
from prm.accounts.services import api_token_create

ATTACKER = "203.0.113.50"
NEIGHBOUR = "203.0.113.51"


def _get(token, ip):
    api = APIClient(raise_request_exception=False)
    return api.get(reverse("api_me"), HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=ip)


def _bogus(n):
    return f"prm_bogus-{n:04d}"


@pytest.fixture
def valid_token(world):
    _token, raw = api_token_create(actor=world["partner_a_admin"], name="integration")
    return raw


def test_the_limit_th_failure_is_401_and_the_next_is_429_with_retry_after(valid_token):
    statuses = [_get(_bogus(n), ATTACKER).status_code for n in range(token_failures.LIMIT)]
    assert statuses == [401] * token_failures.LIMIT
    response = _get(_bogus(999), ATTACKER)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= token_failures.WINDOW
    assert response.json()["detail"].startswith("Too many failed authentications with a token")
    # While the address is throttled, a right guess is refused like a wrong one.
    assert _get(valid_token, ATTACKER).status_code == 429
    # Somebody else's address is not.
    assert _get(valid_token, NEIGHBOUR).status_code == 200
    assert _get(_bogus(1000), NEIGHBOUR).status_code == 401


def test_valid_tokens_do_not_count_as_failures(valid_token):
    for _n in range(token_failures.LIMIT + 5):
        assert _get(valid_token, ATTACKER).status_code == 200
    assert _get(_bogus(1), ATTACKER).status_code == 401


def test_a_spoofed_forwarded_for_does_not_reset_the_count(valid_token):
    for n in range(token_failures.LIMIT):
        _get(_bogus(n), ATTACKER)
    api = APIClient(raise_request_exception=False)
    response = api.get(
        reverse("api_me"),
        HTTP_AUTHORIZATION=f"Bearer {_bogus(999)}",
        REMOTE_ADDR=ATTACKER,
        HTTP_X_FORWARDED_FOR=NEIGHBOUR,
    )
    assert response.status_code == 429


@contextmanager
def _cache_stopped():
    # Nothing listens on the port: every cache call fails at once.
    url = f"redis://127.0.0.1:{embedded.free_port()}/5"
    with override_settings(CACHES={"default": {**settings.CACHES["default"], "LOCATION": url}}):
        yield


def test_with_the_cache_down_a_wrong_token_is_still_401_and_a_right_one_authenticates(valid_token, world):
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from prm.accounts.api_auth import ApiTokenAuthentication

    with _cache_stopped():
        assert [_get(_bogus(n), ATTACKER).status_code for n in range(3)] == [401] * 3
        # The API's answer also depends on its throttles (ADR 0008); the token check itself passes.
        request = Request(
            APIRequestFactory().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {valid_token}", REMOTE_ADDR=ATTACKER)
        )
        user, _token = ApiTokenAuthentication().authenticate(request)
        assert user == world["partner_a_admin"]
