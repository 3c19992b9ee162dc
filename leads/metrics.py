"""The figures of lead distribution that other apps read (``prm.metrics``): one query per metric
however many partners are asked for."""

from __future__ import annotations

from django.db.models import Case, Count, F, Max, When
from django.db.models.functions import Greatest, TruncDate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from prm.metrics import Period, register_activity, register_metric
from prm.sla.metrics import clock_counts
from prm.sla.models import DeadlineState

from .models import ACCEPTANCE_KIND, FIRST_CONTACT_KIND, Lead, LeadAssignment, LeadStatus

PARTNER_CLOCKS = (ACCEPTANCE_KIND, FIRST_CONTACT_KIND)

# What a partner does to a lead: accept it, record the first contact, qualify it, close it.
_PARTNER_STEPS = ("accepted_at", "contacted_at", "qualified_at")


def _daily_counts(queryset, column: str, period: Period) -> dict:
    """``{(partner_id, day): count}`` of ``queryset``'s rows by the day of ``column`` in the current time
    zone (the zone of ``Period.moments``), one query."""
    rows = (
        queryset.filter(period.moments(column))
        .annotate(day=TruncDate(column))
        .values("partner_id", "day")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("partner_id", "day", "n")
    )
    return {(partner_id, day): n for partner_id, day, n in rows}


def leads_offered(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Leads offered to the partner in the period (each assignment counts: a lead offered again after
    a decline counts for each partner it was offered to)."""
    offered = LeadAssignment.objects.filter(period.moments("assigned_at"), partner_id__in=partner_ids)
    return dict(offered.values("partner_id").annotate(n=Count("pk")).order_by().values_list("partner_id", "n"))


def leads_offered_daily(partner_ids: list[int], period: Period) -> dict:
    return _daily_counts(LeadAssignment.objects.filter(partner_id__in=partner_ids), "assigned_at", period)


def leads_accepted_daily(partner_ids: list[int], period: Period) -> dict:
    return _daily_counts(LeadAssignment.objects.filter(partner_id__in=partner_ids), "accepted_at", period)


def leads_converted_daily(partner_ids: list[int], period: Period) -> dict:
    converted = Lead.objects.filter(partner_id__in=partner_ids, status=LeadStatus.CONVERTED)
    return _daily_counts(converted, "closed_at", period)


def leads_accepted(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Offers the partner accepted in the period (a lead reassigned since still counts for it)."""
    accepted = LeadAssignment.objects.filter(period.moments("accepted_at"), partner_id__in=partner_ids)
    return dict(accepted.values("partner_id").annotate(n=Count("pk")).order_by().values_list("partner_id", "n"))


def leads_converted(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Leads the partner converted into a deal registration in the period."""
    converted = Lead.objects.filter(
        period.moments("closed_at"), partner_id__in=partner_ids, status=LeadStatus.CONVERTED
    )
    return dict(converted.values("partner_id").annotate(n=Count("pk")).order_by().values_list("partner_id", "n"))


def last_lead_action(partner_ids: list[int], since) -> dict:
    """The moment each partner last accepted, contacted, qualified or closed one of its leads (a lead
    closed by the partner is converted or lost; one that went back to the pool is no longer its)."""
    leads = Lead.objects.filter(partner_id__in=partner_ids)
    if since is not None:
        leads = leads.filter(updated_at__gte=since)
    closed = Case(When(status__in=(LeadStatus.CONVERTED, LeadStatus.LOST), then=F("closed_at")))
    moment = Greatest(*_PARTNER_STEPS, closed)
    rows = leads.annotate(moment=moment).values("partner_id").annotate(last=Max("moment")).order_by()
    return {partner_id: last for partner_id, last in rows.values_list("partner_id", "last") if last is not None}


def register() -> None:
    missed, missed_daily = clock_counts(PARTNER_CLOCKS, DeadlineState.BREACHED)
    met, met_daily = clock_counts(PARTNER_CLOCKS, DeadlineState.MET)
    register_metric(
        "leads.sla_missed", missed, daily=missed_daily, label=_("lead clocks missed by the partner"), offered=False
    )
    register_metric("leads.sla_met", met, daily=met_daily, label=_("lead clocks met by the partner"), offered=False)
    register_activity("leads.action", last_lead_action, label=_("a lead worked"))
    register_metric(
        "leads.accepted",
        leads_accepted,
        daily=leads_accepted_daily,
        label=_("leads accepted"),
        requirement=ngettext_lazy("%(counter)s lead accepted", "%(counter)s leads accepted", "counter"),
    )
    register_metric(
        "leads.converted",
        leads_converted,
        daily=leads_converted_daily,
        label=_("leads converted into deal registrations"),
        requirement=ngettext_lazy(
            "%(counter)s lead converted into a deal registration",
            "%(counter)s leads converted into deal registrations",
            "counter",
        ),
    )
    register_metric("leads.offered", leads_offered, daily=leads_offered_daily, label=_("leads offered"), offered=False)
