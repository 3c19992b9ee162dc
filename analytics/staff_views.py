"""The program dashboard of vendor staff and their drill-down to a partner's dashboard."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET

from partners.selectors import partners_visible
from prm.tenancy import get_visible_or_404, is_vendor_staff, record_denied_access

from . import periods
from .exports import FORMATS, table_response
from .health import inactive_partners
from .program import program_dashboard
from .selectors import partner_dashboard
from .views import _period, partner_context

TABLES = ("kpis", "ranking", "countries", "tiers")


def _staff(request):
    if not is_vendor_staff(request.user):
        record_denied_access(request.user, request.path)
        raise PermissionDenied


@login_required
@require_GET
def program(request):
    _staff(request)
    period, error = _period(request)
    data = program_dashboard(request.user, period)
    context = {
        "period": period,
        "period_choices": periods.CHOICES,
        "error": error,
        "query": request.GET.urlencode(),
        "inactive_list": inactive_partners(request.user),
        **data,
    }
    return render(request, "analytics/program_dashboard.html", context, status=400 if error else 200)


@login_required
@require_GET
def program_export(request, table, fmt):
    _staff(request)
    if table not in TABLES or fmt not in FORMATS:
        raise Http404
    period, error = _period(request)
    if error is not None:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    data = program_dashboard(request.user, period, ranked=0)
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
