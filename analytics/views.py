from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from prm.errors import ServiceError

from . import charts, panels, periods
from .access import dashboard_partner, reads_own_figures_only
from .exports import table_response
from .filters import FILTERS, filter_params
from .saved_views import partner_saved_view_or_404, partner_saved_views
from .selectors import partner_dashboard

EXPORTS = ("kpis", "revenue", "pipeline", "funnel")
PERIOD_PARAMS = ("period", "since", "until")


def _period(request):
    """The period asked for, or the default with the error that refused it."""
    return period_of(request.GET)


def period_of(params):
    """The period of ``params`` (an address's parameters, or a saved view's), or the default with the
    error that refused it."""
    try:
        period = periods.dashboard_period(params.get("period", ""), params.get("since", ""), params.get("until", ""))
        return period, None
    except ServiceError as error:
        return periods.dashboard_period(periods.DEFAULT), error


def params_of(request, view) -> dict:
    """The parameters a saved view's page reads: the period picker's when it was used (the address
    names a period or a filter), else the view's own."""
    if any(key in request.GET for key in (*PERIOD_PARAMS, *FILTERS)):
        return request.GET
    return view_params(view)


def view_params(view) -> dict:
    """The parameters of an address that ask for a saved view's period (and filters)."""
    params = {"period": view.period}
    if view.period == "custom":
        params.update(
            since=view.since.isoformat() if view.since else "", until=view.until.isoformat() if view.until else ""
        )
    return {**params, **filter_params(view.filters or {})}


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
    return _partner_page(request, partner, membership, request.GET)


@login_required
@require_GET
def saved_view(request, pk):
    """A view shared with the partner user (their role, their partner): their own dashboard with the
    view's period and panels; its filters change nothing of whose figures are shown. 404 for a view
    not shared with them; the dashboard's own rules first (``analytics.access``)."""
    partner, membership = dashboard_partner(request)
    if partner is None:
        return redirect("staff_saved_view", pk)
    view = partner_saved_view_or_404(request.user, membership, pk)
    return _partner_page(request, partner, membership, params_of(request, view), view=view)


def _partner_page(request, partner, membership, params, *, view=None):
    period, error = period_of(params)
    context = partner_context(
        request, partner, membership, period, error, partner_dashboard(partner, period), params=params
    )
    context.update(
        saved_view=view,
        saved_views=list(partner_saved_views(membership)),
        panels=panels.shown(None if view is None else view.panels, panels.PARTNER_KEYS),
    )
    return render(request, "analytics/partner_dashboard.html", context, status=400 if error else 200)


def query_of(params, keys=PERIOD_PARAMS) -> str:
    """The query string of an address asking for ``params`` (those of ``keys`` given)."""
    return urlencode({key: params.get(key) for key in keys if params.get(key)})


def partner_context(request, partner, membership, period, error, data, *, params=None) -> dict:
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
        "query": request.GET.urlencode() if params is None else query_of(params),
        "panels": list(panels.PARTNER_KEYS),
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
