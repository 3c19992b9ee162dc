""" "My figures": a partner user's own deal registrations over a period (``analytics.mine``)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import periods
from .access import can_read_dashboard, own_figures_partner
from .exports import table_response
from .mine import my_figures
from .views import _period


def own_figures_response(request):
    """The page of "My figures" for the caller (a partner user; staff are sent to their dashboard)."""
    partner, membership = own_figures_partner(request)
    if partner is None:
        return redirect("staff_dashboard")
    period, error = _period(request)
    context = {
        "partner": partner,
        "membership": membership,
        "company_dashboard": can_read_dashboard(membership),
        "period": period,
        "period_choices": periods.CHOICES,
        "error": error,
        "query": request.GET.urlencode(),
        **my_figures(membership, period),
    }
    return render(request, "analytics/my_figures.html", context, status=400 if error else 200)


@login_required
@require_GET
def mine(request):
    return own_figures_response(request)


@login_required
@require_GET
def mine_export(request):
    """ "My figures" as CSV, for the same period."""
    partner, membership = own_figures_partner(request)
    if partner is None:
        return redirect("staff_dashboard")
    period, error = _period(request)
    if error is not None:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    data = my_figures(membership, period)
    rows = [[_("Figure"), _("Value"), _("Previous period"), _("Change")]]
    rows += [[str(row.label), row.value, row.previous, row.change] for row in data["kpis"]]
    return table_response(rows, filename=f"my-figures-{period.since}-{period.until}", fmt="csv")
