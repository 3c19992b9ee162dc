import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

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


def staff_needs_mfa(user) -> bool:
    if not is_vendor_staff(user):
        return False
    if settings.MFA_EXEMPT_DEMO_STAFF and user.is_demo:
        return False
    from allauth.mfa.models import Authenticator

    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMfaRequiredMiddleware:
    """Vendor staff must set up MFA before they reach the admin or the staff pages."""

    protected_prefixes = ("/admin/", "/staff/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(self.protected_prefixes) and staff_needs_mfa(request.user):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
