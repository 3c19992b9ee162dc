"""API throttles that survive an unreachable cache (ADR 0008): they fail open for authenticated
requests and for reads (a warning is logged) and fail closed for anonymous writes (503 with
``Retry-After``)."""

import logging

from rest_framework import exceptions, throttling
from rest_framework.permissions import SAFE_METHODS

from prm.client_ip import ClientIpIdent
from prm.redis_outage import REDIS_ERRORS, RETRY_AFTER_SECONDS, UNAVAILABLE_MESSAGE

logger = logging.getLogger(__name__)


class RateLimitUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = UNAVAILABLE_MESSAGE
    default_code = "rate_limit_unavailable"
    wait = RETRY_AFTER_SECONDS  # DRF's handler turns it into Retry-After


class CacheDownPolicy:
    """Mixin of the API throttles: what a request gets when the counters cannot be read."""

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except REDIS_ERRORS as error:
            logger.warning("Rate limit not applied (cache unavailable): %s %s: %s", request.method, request.path, error)
        if request.user.is_authenticated or request.method in SAFE_METHODS:
            return True
        raise RateLimitUnavailable


class UserRateThrottle(ClientIpIdent, CacheDownPolicy, throttling.UserRateThrottle):
    pass


class AnonRateThrottle(ClientIpIdent, CacheDownPolicy, throttling.AnonRateThrottle):
    pass
