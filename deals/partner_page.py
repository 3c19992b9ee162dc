"""What deal registration adds to the staff page of a partner (``prm.partner_pages``): its figures as
KPI tiles and its latest registrations with their decision clocks, as far as the viewer may read them
(never a draft). A fixed number of queries however many registrations the partner has."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.templatetags.partner_tiers import money
from prm.metrics import Period
from prm.partner_pages import Kpi, StaffSection
from prm.sla.calendar import Schedule
from prm.sla.display import clock_of

from .metrics import won_revenue_with_missing
from .models import OPEN_STATUSES, DealStatus
from .selectors import deals_visible_to

LATEST = 10
REVENUE_DAYS = 365


def staff_partner_deals(viewer, partner) -> StaffSection:
    """The deals section of the staff page of ``partner``: four queries (counts, latest rows, won
    revenue and its exchange rates) and one for the calendar of the clocks."""
    deals = deals_visible_to(viewer).filter(partner=partner)
    counts = deals.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        protected=Count("pk", filter=Q(status=DealStatus.APPROVED)),
        won=Count("pk", filter=Q(status=DealStatus.WON)),
    )
    latest = list(deals.prefetch_related("decision_clock").order_by("-created_at", "-pk")[:LATEST])
    now = timezone.now()
    schedule = None
    if any(deal.status == DealStatus.SUBMITTED for deal in latest):
        schedule = Schedule.from_calendar(partner.program.calendar)
    rows = [
        (deal, clock_of(deal.decision_clock, schedule, now) if deal.status == DealStatus.SUBMITTED else None)
        for deal in latest
    ]
    revenue, missing = won_revenue_with_missing([partner.pk], Period.trailing(REVENUE_DAYS)).get(
        partner.pk, (Decimal("0.00"), set())
    )
    changelist = reverse("admin:deals_deal_changelist")
    in_admin = f"{changelist}?{urlencode({'partner': partner.pk})}"
    return StaffSection(
        name="deals",
        title=_("Deal registrations"),
        icon="briefcase",
        template="deals/_staff_partner_deals.html",
        kpis=[
            Kpi(_("registrations awaiting a decision"), counts["open"], "hourglass", "orange"),
            Kpi(_("protected registrations"), counts["protected"], "shield-check", "green"),
            Kpi(_("deals won"), counts["won"], "circle-check", "green"),
            Kpi(
                _("won revenue, last 12 months"),
                money(revenue, partner.program.currency),
                "trophy",
                "blue",
                hint=_("Some won deals lack an exchange rate and are left out.") if missing else "",
            ),
        ],
        data={"rows": rows, "total": counts["total"], "all_url": in_admin},
    )
