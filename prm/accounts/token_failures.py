"""Failed personal-token authentications, counted per client IP (prm.client_ip).

After ``LIMIT`` failures within ``WINDOW`` seconds of the first one, every token presented from
that address answers 429 with ``Retry-After`` until the window ends, a valid token too: otherwise
the guesser would still learn which guess was right. Other addresses are not affected.

The counters live in the cache. When the cache cannot be reached, nothing is counted or refused
here (the request goes on to the token check, which refuses a wrong token anyway): personal tokens
carry 256 random bits, the counter is a second line, and an outage must not lock out the API
(ADR 0012).
"""

from __future__ import annotations

import logging
import math
import time

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _
from redis.exceptions import RedisError
from rest_framework.exceptions import Throttled

from prm.client_ip import client_ip

logger = logging.getLogger(__name__)

LIMIT = 20
WINDOW = 60  # seconds


class TooManyTokenFailures(Throttled):
    default_detail = _("Too many failed authentications with a token from your address.")
    default_code = "token_failures"


def _keys(ip: str) -> tuple[str, str]:
    return f"api-token-failures:{ip}", f"api-token-failures:{ip}:since"


def refuse_if_throttled(request) -> None:
    """Raise 429 when the client's address had used up its failures when the request came in
    (decided once per request, like the count)."""
    base = getattr(request, "_request", request)  # a DRF request wraps Django's
    if not hasattr(base, "_prm_token_wait"):
        base._prm_token_wait = _wait(client_ip(base))
    if base._prm_token_wait is not None:
        raise TooManyTokenFailures(wait=base._prm_token_wait)


def _wait(ip: str | None) -> int | None:
    """Seconds until ``ip`` may try again, or None if it may now."""
    if ip is None:
        return None
    count_key, since_key = _keys(ip)
    try:
        values = cache.get_many([count_key, since_key])
    except (RedisError, OSError) as error:
        logger.warning("Token failure counter unavailable (%s); not checked.", error)
        return None
    if values.get(count_key, 0) < LIMIT:
        return None
    since = values.get(since_key) or time.time()
    return max(1, math.ceil(since + WINDOW - time.time()))


def record_failure(request) -> None:
    """Count one failed authentication of the client's address, once per request (the agreement
    gate authenticates the token before the view does); never raises."""
    base = getattr(request, "_request", request)  # a DRF request wraps Django's
    ip = client_ip(base)
    if ip is None or getattr(base, "_prm_token_failure_counted", False):
        return
    base._prm_token_failure_counted = True
    count_key, since_key = _keys(ip)
    try:
        cache.add(since_key, time.time(), WINDOW)
        cache.add(count_key, 0, WINDOW)
        cache.incr(count_key)
    except ValueError:
        pass  # the window ended between add and incr: the next failure starts a new one
    except (RedisError, OSError) as error:
        logger.warning("Token failure counter unavailable (%s); failure not counted.", error)
