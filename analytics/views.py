from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from prm.errors import ServiceError

from . import charts, periods
from .access import dashboard_partner, reads_own_figures_only
from .exports import table_response
from .selectors import partner_dashboard

EXPORTS = ("kpis", "revenue", "pipeline", "funnel")


def _period(request):
    """The period asked for, or the default with the error that refused it."""
    try:
        period = periods.dashboard_period(
            request.GET.get("period", ""), request.GET.get("since", ""), request.GET.get("until", "")
        )
        return period, None
    except ServiceError as error:
        return periods.dashboard_period(periods.DEFAULT), error


def _month(day) -> str:
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


@login_required
@require_GET
def dashboard(request):
    if reads_own_figures_only(request):  # not shared with the user's role: their own figures
        from .views_mine import own_figures_response

        return own_figures_response(request)
    partner, membership = dashboard_partner(request)
    if partner is None:
        return redirect("staff_dashboard")
    period, error = _period(request)
    context = partner_context(request, partner, membership, period, error, partner_dashboard(partner, period))
    return render(request, "analytics/partner_dashboard.html", context, status=400 if error else 200)


def partner_context(request, partner, membership, period, error, data) -> dict:
    """What the partner dashboard's template reads (the partner's own page and staff's drill-down)."""
    revenue = [(_month(month), value) for month, value in data["revenue"]]
    # The chart's axis: the month's short name (the table beside it says month and year).
    axis = [(formats.date_format(month, "M"), value) for month, value in data["revenue"]]
    return {
        "partner": partner,
        "membership": membership,
        "period": period,
        "period_choices": periods.CHOICES,
        "error": error,
        "query": request.GET.urlencode(),
        "revenue_rows": revenue,
        "revenue_bars": charts.columns(axis),
        "pipeline_bars": charts.bars([(row["label"], row["amount"]) for row in data["pipeline"]]),
        "funnel_bars": charts.bars([(label, value) for _key, label, value in data["funnel"]]),
        **data,
    }


@login_required
@require_GET
def dashboard_export(request, table):
    """A table of the dashboard as CSV, for the same period."""
    partner, _membership = dashboard_partner(request)
    if partner is None:
        return redirect("staff_dashboard")
    if table not in EXPORTS:
        raise Http404
    period, error = _period(request)
    if error is not None:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    data = partner_dashboard(partner, period)
    currency = data["currency"]
    if table == "kpis":
        rows = [
            [
                _("Figure"),
                _("Value"),
                _("Previous period"),
                pgettext("against the previous period", "Change"),
                _("Percentile among peers"),
            ]
        ]
        rows += [[str(row.label), row.value, row.previous, row.change, row.percentile] for row in data["kpis"]]
    elif table == "revenue":
        rows = [[_("Month"), _("Won revenue (%(currency)s)") % {"currency": currency}]]
        rows += [[month.isoformat()[:7], value] for month, value in data["revenue"]]
    elif table == "pipeline":
        rows = [[_("Stage"), _("Registrations"), _("Amount (%(currency)s)") % {"currency": currency}]]
        rows += [[str(row["label"]), row["count"], row["amount"]] for row in data["pipeline"]]
    else:
        rows = [[_("Step"), _("Leads")]]
        rows += [[str(label), value] for _key, label, value in data["funnel"]]
    return table_response(rows, filename=f"dashboard-{table}-{period.since}-{period.until}", fmt="csv")
