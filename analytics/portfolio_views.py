"""The CAM's portfolio page: the health of each partner, what waits on the CAM with its clocks,
onboarding progress and the inactive partners (channel managers and executives: every partner)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from prm.admin_queue import queue_cards

from . import health
from .staff_views import _staff


@login_required
@require_GET
def portfolio(request):
    _staff(request)
    context = {
        **health.portfolio(request.user, page=request.GET.get("page", 1)),
        "cards": queue_cards(request.user),
        "inactive_list": health.inactive_partners(request.user),
        "weights": [(health.LABELS[name], weight) for name, weight in health.WEIGHTS.items()],
        "healthy": health.HEALTHY,
        "at_risk_below": health.AT_RISK,
    }
    return render(request, "analytics/portfolio.html", context)
