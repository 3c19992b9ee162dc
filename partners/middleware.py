from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from prm.tenancy import is_vendor_staff

from .onboarding import agreement_pending_for, membership_with_agreement_state

API_PREFIX = "/api/"


def _api_token_user(request):
    """The user of an API token request (the API authenticates it again in the view)."""
    from rest_framework.exceptions import AuthenticationFailed, Throttled

    from prm.accounts.api_auth import ApiTokenAuthentication

    try:
        result = ApiTokenAuthentication().authenticate(request)
    except (AuthenticationFailed, Throttled):
        return None
    return result[0] if result else None


def agreement_pending(request) -> bool:
    """Whether the request's user is held on the acceptance page. Computed once per request and
    user, in one query that also loads the user's membership for the tenancy scope."""
    user = request.user
    if not user.is_authenticated and request.path.startswith(API_PREFIX) and "HTTP_AUTHORIZATION" in request.META:
        user = _api_token_user(request)
    if user is None or not user.is_authenticated or not user.is_active or is_vendor_staff(user):
        return False
    cached = getattr(user, "_prm_agreement_pending", None)
    if cached is not None:
        return cached
    membership = membership_with_agreement_state(user)
    if not hasattr(user, "_prm_membership"):
        user._prm_membership = membership
    user._prm_agreement_pending = agreement_pending_for(membership)
    return user._prm_agreement_pending


class AgreementGateMiddleware:
    """Until their partner accepts the current agreement, its users reach only the acceptance page,
    their account pages, logout, the language switch and static files."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_prefixes = None

    def open_prefixes(self) -> tuple[str, ...]:
        if self._open_prefixes is None:
            prefixes = [reverse("agreement"), reverse("language_set"), "/accounts/", settings.STATIC_URL]
            if getattr(settings, "MEDIA_URL", ""):
                prefixes.append(settings.MEDIA_URL)
            self._open_prefixes = tuple(prefix for prefix in prefixes if prefix and prefix != "/")
        return self._open_prefixes

    def __call__(self, request):
        if request.path.startswith(self.open_prefixes()) or not agreement_pending(request):
            return self.get_response(request)
        message = _("Your partner administrator must accept the new partner agreement before you can continue.")
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": message, "code": "agreement_required"}, status=403)
        if request.headers.get("HX-Request"):
            return HttpResponse(message, status=403, content_type="text/plain; charset=utf-8")
        return redirect("agreement")
