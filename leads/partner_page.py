"""What lead distribution adds to the staff page of a partner (``prm.partner_pages``): the leads it
holds as KPI tiles and its latest leads with their clocks, as far as the viewer may read them. A fixed
number of queries however many leads the partner has."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.partner_pages import Kpi, StaffSection
from prm.sla.calendar import Schedule
from prm.sla.display import clock_of

from .models import WORKING_STATUSES, LeadStatus
from .selectors import leads_visible_to

LATEST = 10
# The countdown that matters for a lead's status (as on the partner's inbox).
CLOCKS = {LeadStatus.OFFERED: "acceptance", LeadStatus.ACCEPTED: "first_contact"}


def staff_partner_leads(viewer, partner) -> StaffSection:
    """The leads section of the staff page of ``partner``: two queries (counts, latest rows) and one
    for the calendar of the clocks."""
    leads = leads_visible_to(viewer).filter(partner=partner)
    counts = leads.aggregate(
        total=Count("pk"),
        offered=Count("pk", filter=Q(status=LeadStatus.OFFERED)),
        working=Count("pk", filter=Q(status__in=WORKING_STATUSES)),
        converted=Count("pk", filter=Q(status=LeadStatus.CONVERTED)),
    )
    latest = list(
        leads.prefetch_related("acceptance_clock", "first_contact_clock").order_by("-created_at", "-pk")[:LATEST]
    )
    now = timezone.now()
    schedule = (
        Schedule.from_calendar(partner.program.calendar) if any(lead.status in CLOCKS for lead in latest) else None
    )
    rows = []
    for lead in latest:
        kind = CLOCKS.get(lead.status, "")
        rows.append(
            {
                "lead": lead,
                "kind": kind,
                "clock": clock_of(getattr(lead, f"{kind}_clock"), schedule, now) if kind else None,
            }
        )
    in_admin = f"{reverse('admin:leads_lead_changelist')}?{urlencode({'partner': partner.pk})}"
    return StaffSection(
        name="leads",
        title=_("Leads"),
        icon="target",
        template="leads/_staff_partner_leads.html",
        kpis=[
            Kpi(_("leads awaiting the partner's answer"), counts["offered"], "inbox", "orange"),
            Kpi(_("leads accepted and in progress"), counts["working"], "target", "blue"),
            Kpi(_("leads converted"), counts["converted"], "circle-check", "green"),
        ],
        data={"rows": rows, "total": counts["total"], "all_url": in_admin},
    )
