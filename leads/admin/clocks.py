"""The leads' clocks in the admin: the columns of the acceptance and first-contact clocks, the
calendars of a page, the badge, and the changelist that attaches them to its rows."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prm.admin_changelist import GuardedChangeList
from prm.sla.calendar import Schedule
from prm.sla.display import NO_CLOCK, ClockState, clock_of
from prm.sla.models import BusinessCalendar

from ..models import ACCEPTANCE_KIND, FIRST_CONTACT_KIND, WORKING_STATUSES, LeadAssignment, LeadStatus

# --- Clocks -----------------------------------------------------------------------------------

CLOCK_PREFIXES = {ACCEPTANCE_KIND: "acceptance", FIRST_CONTACT_KIND: "first_contact"}
CLOCK_NAMES = {"acceptance": _("acceptance"), "first_contact": _("first contact")}
SLA_CHOICES = [
    (ClockState.ON_TIME, _("on time")),
    (ClockState.DUE_SOON, _("due soon")),
    (ClockState.BREACHED, _("breached")),
    (ClockState.PAUSED, _("paused")),
    (ClockState.MET, _("met")),
    (NO_CLOCK, _("no clock running")),
]


def current_clock_prefix(lead) -> str | None:
    """The clock that matters for a lead now: acceptance while offered, first contact once accepted."""
    if lead.status == LeadStatus.OFFERED:
        return "acceptance"
    if lead.status in WORKING_STATUSES:
        return "first_contact"
    return None


def with_clocks(queryset):
    """Leads annotated with their acceptance and first-contact clocks (``prm.sla.display``) and the
    rule and strategy of their current assignment."""
    current = LeadAssignment.objects.filter(lead=OuterRef("pk"), ended_at__isnull=True)
    return queryset.prefetch_related("acceptance_clock", "first_contact_clock").annotate(
        current_rule_name=Subquery(current.values("rule__name")[:1]),
        current_strategy=Subquery(current.values("strategy")[:1]),
    )


def load_schedules(calendar_ids) -> dict[int, Schedule]:
    """The business calendars of a page, with their holidays: two queries whatever the rows."""
    calendars = BusinessCalendar.objects.filter(pk__in={pk for pk in calendar_ids if pk}).prefetch_related("holidays")
    return {
        calendar.pk: Schedule.from_calendar(calendar, holidays=[h.date for h in calendar.holidays.all()])
        for calendar in calendars
    }


def attach_clocks(leads, now=None) -> None:
    """Set ``lead.clock`` (a ``prm.sla.display.Clock`` or None) and ``lead.clock_name`` on annotated leads."""
    now = now or timezone.now()
    leads = list(leads)
    ids = [_calendar_id(lead, prefix) for lead in leads for prefix in CLOCK_PREFIXES.values()]
    schedules = load_schedules(ids)
    for lead in leads:
        prefix = current_clock_prefix(lead)
        lead.clock_name = CLOCK_NAMES.get(prefix, "")
        lead.clock = None
        if prefix is not None:
            lead.clock = clock_of(getattr(lead, f"{prefix}_clock"), schedules.get(_calendar_id(lead, prefix)), now)


def _calendar_id(lead, prefix: str) -> int | None:
    deadline = getattr(lead, f"{prefix}_clock")
    return deadline.calendar_id if deadline is not None else None


def clock_badge(lead) -> str:
    clock = getattr(lead, "clock", None)
    if clock is None:
        return "—"
    parts = [format_html('<span class="sla-badge sla-{}">{}</span>', clock.state, clock.label)]
    if clock.due_at is not None and clock.state != ClockState.MET:
        when = formats.date_format(timezone.localtime(clock.due_at), "DATETIME_FORMAT")
        parts.append(format_html('<span class="sla-due">{}</span>', gettext("due %(when)s") % {"when": when}))
    if clock.state == ClockState.PAUSED and clock.remaining_text:
        parts.append(format_html('<span class="sla-due">{}</span>', clock.remaining_text))
    return format_html(
        '<span class="sla-clock-name">{}</span> {}', lead.clock_name, format_html_join(" ", "{}", ((p,) for p in parts))
    )


class LeadChangeList(GuardedChangeList):
    """Attaches the clocks to the page's rows once they are read."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        attach_clocks(self.result_list)
