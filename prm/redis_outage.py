"""A request and an unreachable Redis (ADR 0008).

Redis holds the cache (rate-limit counters) and the Celery broker. When it is down or frozen:

- every call is bounded by 2-second socket timeouts (connect, read, write; see the settings);
- a request waits on it at most once: the first Redis error of a request is remembered until the
  request ends, and the later cache calls and broker publishes of that request fail at once instead
  of waiting again (the cache backend below, and ``prm.notifications.services``);
- a cache error that escapes a view (allauth's login, sign-up and password-reset limits, its TOTP code
  check, the application form's limit) answers 503 with ``Retry-After``, never 500.

Outside a request (workers, beat, commands) nothing is remembered: every call tries Redis.
"""

import functools
import logging
from contextvars import ContextVar

from django.core.cache.backends import redis as redis_backend
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
UNAVAILABLE_MESSAGE = _("Sign-in and other protected actions are paused for a moment. Please try again in a minute.")
# Errors of Redis: refused, timed out, or refusing to work (loading, out of memory, read-only).
REDIS_ERRORS = (RedisError,)


class _Request:
    redis_failed = False


_current: ContextVar[_Request | None] = ContextVar("prm_redis_request", default=None)


def redis_failed_in_request() -> bool:
    """True when Redis already failed during the current request."""
    current = _current.get()
    return current is not None and current.redis_failed


def note_redis_failure() -> None:
    """Remember, until the current request ends, that Redis failed (no effect outside a request)."""
    current = _current.get()
    if current is not None:
        current.redis_failed = True


def _once_per_request(method):
    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if redis_failed_in_request():
            raise RedisConnectionError("Redis failed earlier in this request.")
        try:
            return method(self, *args, **kwargs)
        except REDIS_ERRORS:
            note_redis_failure()
            raise

    return call


class RedisCache(redis_backend.RedisCache):
    """Django's Redis cache, which a request waits on at most once when Redis fails."""


for _name in (
    "add",
    "get",
    "set",
    "touch",
    "delete",
    "get_many",
    "has_key",
    "incr",
    "set_many",
    "delete_many",
    "clear",
):
    setattr(RedisCache, _name, _once_per_request(getattr(redis_backend.RedisCache, _name)))


def unavailable_response(request):
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": str(UNAVAILABLE_MESSAGE)}, status=503)
    else:
        response = render(request, "503.html", {"message": UNAVAILABLE_MESSAGE}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class RedisOutageMiddleware:
    """Scopes the memory of a Redis failure to one request, and turns a Redis error escaping a view
    into a 503 with ``Retry-After``. The rate limits that raise it run before the view changes anything."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(_Request())
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, REDIS_ERRORS):
            return None
        logger.warning("Redis unavailable; %s %s answered 503: %s", request.method, request.path, exception)
        return unavailable_response(request)
