from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .kinds import all_kinds
from .selectors import notifications_for, unread_count


@login_required
def notification_list(request):
    page = Paginator(notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_count(request):
    return render(request, "notifications/_count.html", {"unread_notifications": unread_count(request.user)})


@login_required
@require_POST
def notification_read(request, pk):
    services.notification_mark_read(actor=request.user, notification_id=pk)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect("notification_list")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("notification_list")


@login_required
def notification_preferences(request):
    kinds = all_kinds()
    if request.method == "POST":
        chosen = set(request.POST.getlist("email"))
        services.notification_preferences_set(
            actor=request.user, email_by_kind={kind.key: kind.key in chosen for kind in kinds}
        )
        messages.success(request, _("Your notification preferences are saved."))
        return redirect("notification_preferences")
    rows = [(kind, services.wants_email(request.user, kind.key)) for kind in kinds]
    return render(request, "notifications/preferences.html", {"rows": rows})
