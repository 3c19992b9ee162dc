"""The figures of lead distribution that other apps read (``prm.metrics``): one query per metric
however many partners are asked for."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from prm.metrics import Period, register_metric

from .models import Lead, LeadAssignment, LeadStatus


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


def register() -> None:
    register_metric(
        "leads.accepted",
        leads_accepted,
        label=_("leads accepted"),
        requirement=ngettext_lazy("%(counter)s lead accepted", "%(counter)s leads accepted", "counter"),
    )
    register_metric(
        "leads.converted",
        leads_converted,
        label=_("leads converted into deal registrations"),
        requirement=ngettext_lazy(
            "%(counter)s lead converted into a deal registration",
            "%(counter)s leads converted into deal registrations",
            "counter",
        ),
    )
