"""The rate limit of application submissions."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from prm.client_ip import ClientIpIdent

DEFAULT_APPLICATION_RATE = "10/hour"


class ApplicationRateThrottle(ClientIpIdent, SimpleRateThrottle):
    """Submissions of applications per client IP, shared by the /apply/ form and the API.

    The rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["applications"], 10 an hour by default.
    """

    scope = "applications"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or DEFAULT_APPLICATION_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
