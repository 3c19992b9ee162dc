from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from prm.accounts.middleware import staff_needs_mfa
from prm.accounts.models import ApiToken
from prm.accounts.services import api_token_create, api_token_revoke, user_set_language, user_set_time_zone
from prm.errors import ServiceError
from prm.forms import TimeZoneForm
from prm.idempotency.forms import form_once
from prm.tenancy import membership_of


@require_POST
def language_set(request):
    """Switch the language; remembered in a cookie and, when signed in, on the user."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    try:
        user_set_language(actor=request.user, language=language)
    except ServiceError as error:
        messages.error(request, error.message)
        return HttpResponseRedirect(target)
    translation.activate(language)
    response = HttpResponseRedirect(target)
    response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax")
    return response


TOKEN_ALREADY_CREATED = gettext_lazy(
    "This token was already created by the same form; its key is shown once only. "
    "If you did not copy it, revoke the token and create another."
)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    new_key = None
    status = 200
    zone_form = TimeZoneForm(initial={"time_zone": request.user.time_zone})
    if request.method == "POST" and "time_zone" in request.POST:
        zone_form = TimeZoneForm(request.POST)
        if zone_form.is_valid():
            try:
                user_set_time_zone(actor=request.user, time_zone=zone_form.cleaned_data["time_zone"])
            except ServiceError as error:
                zone_form.add_error("time_zone", error.message)
            else:
                messages.success(request, _("Your time zone is saved."))
                return redirect("profile")
        status = 400
    elif request.method == "POST":
        try:
            if "revoke" in request.POST:
                api_token_revoke(actor=request.user, token_id=int(request.POST["revoke"]))
                messages.success(request, _("The token is revoked."))
                return redirect("profile")
            with form_once(request, "accounts.token") as once:
                if once.replayed:  # a second click: the key was in the first answer only
                    return once.replay(TOKEN_ALREADY_CREATED)
                _token, new_key = api_token_create(actor=request.user, name=request.POST.get("name", ""))
                once.done(reverse("profile"))
            messages.success(request, _("Token created. Copy it now: it will not be shown again."))
        except ServiceError as error:
            messages.error(request, error.message)
            status = 400
        except (ApiToken.DoesNotExist, ValueError):
            messages.error(request, _("That token does not exist."))
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "prm/profile.html",
        {
            "tokens": tokens,
            "new_key": new_key,
            "membership": membership_of(request.user),
            "tokens_need_mfa": staff_needs_mfa(request.user),
            "zone_form": zone_form,
        },
        status=status,
    )


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


FAVICON = Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg"


@require_GET
def favicon(request):
    """/favicon.ico, which browsers and crawlers ask for whatever the page says: the portal's icon."""
    response = HttpResponse(FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@login_required
@require_GET
def search(request):
    """Global search across what the user may see (prm.search), grouped by type."""
    from prm.search import MIN_LENGTH, clean_text, search_all

    text = clean_text(request.GET.get("q", ""))
    groups = search_all(request.user, text) if text else []
    return render(
        request,
        "prm/search.html",
        {"q": request.GET.get("q", "")[:100], "text": text, "groups": groups, "min_length": MIN_LENGTH},
    )
