"""The client's IP address: one rule for the API throttles, allauth's rate limits and the audit trail.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
the portal's own proxies wrote it. ``TRUSTED_PROXY_COUNT`` says how many proxies stand in front
of the web server (0 by default: nobody; then only the socket's address, ``REMOTE_ADDR``, counts).
Each proxy appends the address it received the request from, so with n proxies the client is the
n-th address from the right; anything further left was sent by the client and is ignored. A
header with fewer addresses than that, or an address that is not an IP address, was not written
by the proxies: ``REMOTE_ADDR`` is used instead (ADR 0012).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def _ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The address of the client of ``request`` (a Django or DRF request); None if unknown."""
    remote_addr = _ip(request.META.get("REMOTE_ADDR"))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote_addr
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < proxies:
        return remote_addr
    return _ip(forwarded[-proxies]) or remote_addr


class ClientIpIdent:
    """Mixin of DRF throttles: a client is its address by this rule (DRF's own ``get_ident`` takes
    X-Forwarded-For as sent unless NUM_PROXIES is set, and counts differently when the header is
    short). Every throttle class of the project uses it."""

    def get_ident(self, request):
        return client_ip(request) or ""
