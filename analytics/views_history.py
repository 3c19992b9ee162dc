"""A partner's history, month by month (``analytics.history``): its own page, its CSV, and vendor
staff's drill-down."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partners.selectors import partners_visible
from prm.tenancy import get_visible_or_404

from . import history as months
from .access import dashboard_partner
from .exports import table_response
from .kpis import MONEY
from .staff_views import _staff


def _label(month) -> str:
    return formats.date_format(month, "YEAR_MONTH_FORMAT")


def _context(request, partner, membership) -> dict:
    rows = months.partner_history(partner)
    a, b, error = months.compared_months(request.GET)
    return {
        "partner": partner,
        "membership": membership,
        "currency": partner.program.currency,
        "columns": months.COLUMNS,
        "months": [
            (month, _label(month.start), [(column, month.values[column.key]) for column in months.COLUMNS])
            for month in rows
        ],
        "choices": [(month.key, _label(month.start)) for month in rows],
        "a": a,
        "b": b,
        "a_label": _label(a),
        "b_label": _label(b),
        "comparison": months.compare(rows, a, b),
        "error": error,
        "total": months.MONTHS,
    }


@login_required
@require_GET
def history(request):
    partner, membership = dashboard_partner(request)
    if partner is None:
        return redirect("staff_dashboard")
    context = _context(request, partner, membership)
    return render(request, "analytics/history.html", context, status=400 if context["error"] else 200)


@login_required
@require_GET
def history_export(request):
    """The month-by-month table as CSV, newest month first."""
    partner, _membership = dashboard_partner(request)
    if partner is None:
        return redirect("staff_dashboard")
    currency = partner.program.currency
    header = [_("Month")]
    for column in months.COLUMNS:
        if column.unit == MONEY:
            header.append(_("%(figure)s (%(currency)s)") % {"figure": column.label, "currency": currency})
        else:
            header.append(str(column.label))
    rows = [header]
    rows += [[month.key] + [month.values[c.key] for c in months.COLUMNS] for month in months.partner_history(partner)]
    return table_response(rows, filename="dashboard-history", fmt="csv")


@login_required
@require_GET
def staff_history(request, pk):
    """A partner's history as staff see it (a CAM: their partners only; 404 otherwise)."""
    _staff(request)
    partner = get_visible_or_404(partners_visible(request.user), request.user, pk=pk)
    context = _context(request, partner, None)
    context["staff_view"] = True
    return render(request, "analytics/history.html", context, status=400 if context["error"] else 200)
