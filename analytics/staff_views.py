"""The program dashboard of vendor staff and their drill-down to a partner's dashboard."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from partners.selectors import partner_list_choices, partner_names_visible, partners_visible
from prm.countries import country_name
from prm.tenancy import get_visible_or_404, is_vendor_staff, record_denied_access

from . import panels, periods, services
from .exports import FORMATS, table_response
from .filters import FILTERS, dashboard_filters, filter_params
from .health import inactive_partners
from .program import program_dashboard
from .saved_views import (
    own_saved_view_or_404,
    partner_role_share_choices,
    staff_role_choices,
    staff_saved_view_or_404,
    staff_saved_views,
)
from .selectors import partner_dashboard
from .views import PERIOD_PARAMS, _period, params_of, partner_context, period_of, query_of

TABLES = ("kpis", "ranking", "countries", "tiers")


def _staff(request):
    if not is_vendor_staff(request.user):
        record_denied_access(request.user, request.path)
        raise PermissionDenied


@login_required
@require_GET
def program(request):
    _staff(request)
    return _program_page(request, request.GET)


@login_required
@require_GET
def saved_view(request, pk):
    """A saved view (the user's own or one shared with their staff role): the program dashboard with
    the view's period, filters and panels, the filters always within the viewer's scope. The period
    picker's parameters, when given, replace the view's period and filters."""
    _staff(request)
    view = staff_saved_view_or_404(request.user, pk)
    return _program_page(request, params_of(request, view), view=view)


@login_required
@require_POST
def saved_view_create(request):
    """Save the program dashboard's period, filters and chosen panels as a view, shared as asked."""
    _staff(request)
    post = request.POST
    filters = {name: post[name].strip() for name in FILTERS if post.get(name, "").strip()}
    data = {
        "name": post.get("name", ""),
        "period": post.get("period", ""),
        "since": post.get("since", ""),
        "until": post.get("until", ""),
        "filters": filters,
        "panels": post.getlist("panels"),
        "shared_roles": post.getlist("shared_roles"),
        "shared_partners": post.getlist("shared_partners"),
    }
    try:
        view = services.saved_view_create(actor=request.user, data=data)
    except services.SavedViewRefused as refused:
        form = {**data, "errors": refused.problems}
        return _program_page(request, post, form=form, status=400)
    messages.success(request, _("The view “%(name)s” is saved.") % {"name": view.name})
    return redirect("staff_saved_view", view.pk)


@login_required
@require_POST
def saved_view_delete(request, pk):
    """Delete a view of the user's own (anybody else's: 404)."""
    _staff(request)
    view = own_saved_view_or_404(request.user, pk)
    name = view.name
    services.saved_view_delete(actor=request.user, view=view)
    messages.success(request, _("The view “%(name)s” is deleted.") % {"name": name})
    return redirect("staff_dashboard")


def _program_page(request, params, *, view=None, form=None, status=200):
    """The program dashboard for ``params`` (the address's, a saved view's or the posted save form's)."""
    period, error = period_of(params)
    choices = partner_list_choices(request.user)
    tier_ids = [tier.pk for tier in choices["tiers"]]
    filters, filter_error = dashboard_filters(params, tier_ids)
    if view is not None and params is not request.GET:
        filters, filter_error = dict(view.filters or {}), None  # checked when saved; narrow the viewer's scope
    data = program_dashboard(request.user, period, filters=filters)
    shown = panels.shown(None if view is None else view.panels, panels.PROGRAM_KEYS)
    context = {
        "period": period,
        "period_choices": periods.CHOICES,
        "error": error,
        "inactive_list": inactive_partners(request.user),
        "filter_error": filter_error,
        "filters": filters,
        "filter_countries": [(code, country_name(code)) for code in choices["countries"]],
        "filter_tiers": choices["tiers"],
        "query": query_of(
            {**{key: params.get(key, "") for key in PERIOD_PARAMS}, **filter_params(filters)},
            (*PERIOD_PARAMS, *FILTERS),
        ),
        "panels": shown,
        "saved_view": view,
        "saved_views": list(staff_saved_views(request.user)),
        "save_form": form or {"panels": [*shown, *panels.PARTNER_KEYS], "shared_roles": [], "shared_partners": []},
        "panel_choices": panels.choice_groups(),
        "staff_roles": staff_role_choices(),
        "partner_roles": partner_role_share_choices(),
        "partner_choices": partner_names_visible(request.user),
        **data,
    }
    if error or filter_error:
        status = 400
    return render(request, "analytics/program_dashboard.html", context, status=status)


@login_required
@require_GET
def program_export(request, table, fmt):
    _staff(request)
    if table not in TABLES or fmt not in FORMATS:
        raise Http404
    period, error = _period(request)
    if error is None:
        tiers = [tier.pk for tier in partner_list_choices(request.user)["tiers"]]
        filters, error = dashboard_filters(request.GET, tiers)
    if error is not None:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    data = program_dashboard(request.user, period, ranked=0, filters=filters)
    currency = data["currency"]
    if table == "kpis":
        rows = [[_("Figure"), _("Value"), _("Previous period"), pgettext("against the previous period", "Change")]]
        rows += [[str(row["label"]), row["value"], row["previous"], row["change"]] for row in data["kpis"]]
    elif table == "ranking":
        rows = [
            [_("Rank"), _("Partner"), _("Country"), _("Tier"), _("Score")]
            + [str(label) for label, _w in data["weights"]]
        ]
        rows += [
            [r.rank, r.name, r.country, r.tier, r.score] + [percentile for _label, percentile in r.reasons]
            for r in data["ranking"]
        ]
    elif table == "countries":
        rows = [[_("Country"), _("Won revenue (%(currency)s)") % {"currency": currency}]]
        rows += [[name, value] for _code, name, value in data["countries"]]
    else:
        rows = [[_("Tier"), _("Won revenue (%(currency)s)") % {"currency": currency}]]
        rows += [[name, value] for name, value in data["tiers"]]
    return table_response(rows, filename=f"program-{table}-{period.since}-{period.until}", fmt=fmt, sheet=table)


@login_required
@require_GET
def partner(request, pk):
    """A partner's dashboard as staff see it (a CAM: their partners only; 404 otherwise)."""
    _staff(request)
    partner = get_visible_or_404(partners_visible(request.user), request.user, pk=pk)
    period, error = _period(request)
    context = partner_context(request, partner, None, period, error, partner_dashboard(partner, period))
    context["staff_view"] = True
    return render(request, "analytics/partner_dashboard.html", context, status=400 if error else 200)
