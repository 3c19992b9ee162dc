from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import services
from .kinds import all_kinds
from .models import Notification
from .selectors import email_preferences, notifications_for, unread_count

# htmx stops polling when a poll answers 286.
HTMX_STOP_POLLING = 286


@login_required
@require_GET
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@require_GET
def notification_count(request):
    """The bell's badge; polled by htmx every minute."""
    if not request.user.is_authenticated:
        if request.headers.get("HX-Request"):
            return HttpResponse(status=HTMX_STOP_POLLING)
        return redirect_to_login(request.get_full_path())
    return render(request, "notifications/_count.html", {"unread_notifications": unread_count(request.user)})


@login_required
@require_POST
def notification_read(request, pk):
    try:
        services.notification_mark_read(actor=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked as read.", "%(count)d notifications marked as read.", count)
        % {"count": count},
    )
    return redirect("notification_list")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        services.notification_preferences_set(
            actor=request.user, email_by_kind={kind.key: kind.key in chosen for kind in all_kinds()}
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notification_preferences")
    return render(request, "notifications/preferences.html", {"rows": email_preferences(request.user)})
