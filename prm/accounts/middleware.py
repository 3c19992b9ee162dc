import time
import zoneinfo

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone, translation
from django.utils.http import MAX_URL_LENGTH, urlencode
from django.utils.translation import gettext as _

from prm.tenancy import is_vendor_staff


class SessionTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT idle seconds or SESSION_ABSOLUTE_TIMEOUT in all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.setdefault("prm_started", now)
            last = request.session.get("prm_seen", now)
            if now - last > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
                logout(request)
            elif "prm_seen" not in request.session or (
                now - last >= 60 and not request.headers.get("X-Background-Poll")
            ):
                # Write at most once a minute to keep requests cheap; a background poll is no activity.
                request.session["prm_seen"] = now
        return self.get_response(request)


class UserLanguageMiddleware:
    """Applies the language a signed-in user chose, wherever they log in from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and user.language and user.language != request.LANGUAGE_CODE:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class UserTimeZoneMiddleware:
    """Shows the dates of every page in the zone a signed-in user chose (``User.time_zone``); the
    program's zone (``settings.TIME_ZONE``) for everyone else and for a user who chose none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = getattr(request.user, "time_zone", "") if request.user.is_authenticated else ""
        try:
            if name:
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


def staff_needs_mfa(user) -> bool:
    """Whether ``user`` is vendor staff who must still set up TOTP; the one rule every door asks.

    Demo staff are exempt only where MFA_EXEMPT_DEMO_STAFF allows it (DEBUG only)."""
    if not is_vendor_staff(user):
        return False
    if settings.MFA_EXEMPT_DEMO_STAFF and user.is_demo:
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def mfa_required_message() -> str:
    return _(
        "Staff accounts need two-factor authentication before they can use the portal or its API. Set it up at %(url)s."
    ) % {"url": reverse("mfa_activate_totp")}


class StaffMfaRequiredMiddleware:
    """Vendor staff without TOTP reach nothing but MFA enrolment: deny by default, on every route.

    Allowed (``allowed_views``, by URL name, so a new route is denied until listed here):

    - ``mfa_activate_totp``: the TOTP set-up itself, and ``mfa_index``, the MFA overview it
      links back to;
    - ``account_reauthenticate`` and ``mfa_reauthenticate``: the set-up asks for the password
      again when the sign-in is not recent (the MFA variant serves a user left with recovery
      codes only);
    - ``account_logout`` and ``language_set``;
    - the program's branding (``brand_css``, ``brand_logo``, ``brand_favicon``), which every page
      loads, the set-up page too, and which is public;
    - static files (``STATIC_URL``), which WhiteNoise usually serves before any middleware.

    Deliberately not allowed: the home page, the public application form, the e-mail, password
    and recovery-code pages, the admin (its logout too: ``account_logout`` is the one way out),
    notifications. The recovery codes are shown right after TOTP is set up, when the user no
    longer needs it. A user with an unverified e-mail address cannot set up TOTP (allauth
    refuses it); an administrator verifies or removes the address.

    Everything else: API routes (``/api/``) answer 403 with a JSON ``detail``; htmx requests
    answer 403 (with ``HX-Redirect`` to the set-up, except background polls); other HTML routes
    redirect to the TOTP set-up, with ``next`` for a GET unless it is too long to come back to.
    Personal tokens are refused in ``api_auth`` and not created by ``api_token_create``, by the
    same rule, ``staff_needs_mfa``.
    """

    allowed_views = frozenset(
        {
            "mfa_activate_totp",
            "mfa_index",
            "account_reauthenticate",
            "mfa_reauthenticate",
            "account_logout",
            "language_set",
            "brand_css",
            "brand_logo",
            "brand_favicon",
        }
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if staff_needs_mfa(request.user) and not self.is_allowed(request.path_info):
            return self.refuse(request)
        return self.get_response(request)

    def is_allowed(self, path: str) -> bool:
        if settings.STATIC_URL and path.startswith(settings.STATIC_URL):
            return True
        try:
            match = resolve(path)
        except Resolver404:
            return False
        return match.view_name in self.allowed_views

    def refuse(self, request):
        setup = reverse("mfa_activate_totp")
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": mfa_required_message(), "code": "mfa_required"}, status=403)
        if request.headers.get("HX-Request"):
            response = HttpResponseForbidden(mfa_required_message(), content_type="text/plain; charset=utf-8")
            if not request.headers.get("X-Background-Poll"):
                response["HX-Redirect"] = setup
            return response
        back = request.get_full_path()
        if request.method in ("GET", "HEAD") and len(back) <= MAX_URL_LENGTH:
            setup = f"{setup}?{urlencode({'next': back})}"
        return redirect(setup)
