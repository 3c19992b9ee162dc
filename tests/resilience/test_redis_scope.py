"""A request waits on a failed Redis once; the API throttles' policy when the cache is down; the 503
of a Redis error escaping a view (ADR 0008)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from prm import redis_outage
from prm.celery import app
from prm.redis_outage import RedisOutageMiddleware, note_redis_failure, redis_failed_in_request
from prm.throttling import AnonRateThrottle, RateLimitUnavailable, UserRateThrottle
from tests import factories

from .outage import FrozenServer, redis_at, redis_unreachable


def test_a_request_waits_on_a_frozen_redis_once():
    """Three cache calls and a publish in one request: one connection to the frozen server, the
    first call's; the others fail at once. Outside a request every call tries again."""
    outcomes = []

    def view(request):
        for call in (lambda: cache.get("a"), lambda: cache.add("b", 1), lambda: cache.incr("c")):
            try:
                call()
            except redis_outage.REDIS_ERRORS as error:
                outcomes.append(type(error).__name__)
        from prm.notifications.services import _publish

        outcomes.append(_publish(app.tasks["prm.notifications.tasks.deliver_notification"], (1,)))
        return HttpResponse()

    server = FrozenServer()
    with server as url, redis_at(url):
        RedisOutageMiddleware(view)(RequestFactory().get("/"))
        assert outcomes == ["TimeoutError", "ConnectionError", "ConnectionError", False]
        assert len(server.accepted) == 1
        with pytest.raises(redis_outage.REDIS_ERRORS):
            cache.get("a")  # no request: tried again
        assert len(server.accepted) == 2
    assert not redis_failed_in_request()


def test_nothing_is_remembered_outside_a_request():
    note_redis_failure()
    assert not redis_failed_in_request()


def _drf_request(method, user):
    request = Request(getattr(APIRequestFactory(), method)("/api/v1/anything/"))
    request.user = user
    return request


@pytest.mark.parametrize("throttle", [UserRateThrottle, AnonRateThrottle])
def test_cache_down_anonymous_reads_pass_and_anonymous_writes_answer_503(throttle):
    with redis_unreachable("stopped"):
        assert throttle().allow_request(_drf_request("get", AnonymousUser()), None) is True
        for method in ("post", "put", "patch", "delete"):
            with pytest.raises(RateLimitUnavailable) as raised:
                throttle().allow_request(_drf_request(method, AnonymousUser()), None)
            assert raised.value.status_code == 503 and raised.value.wait == 60


def test_cache_down_authenticated_writes_pass(db):
    user = factories.UserFactory()
    with redis_unreachable("stopped"):
        for method in ("get", "post", "delete"):
            assert UserRateThrottle().allow_request(_drf_request(method, user), None) is True


def test_with_the_cache_up_the_throttles_still_count(db, settings):
    """The policy only applies to errors: a full bucket still answers False (DRF's 429)."""
    user = factories.UserFactory()
    throttle = UserRateThrottle()
    throttle.rate, (throttle.num_requests, throttle.duration) = "2/min", (2, 60)
    results = [throttle.allow_request(_drf_request("get", user), None) for _ in range(3)]
    assert results == [True, True, False]
