"""The filters of the leads' changelist: the clock's state, rating, country and rule used."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.countries import country_name
from prm.sla.display import NO_CLOCK, ClockState, ClockStateFilter, clock_state_of

from ..models import (
    ACCEPTANCE_KIND,
    FIRST_CONTACT_KIND,
    WORKING_STATUSES,
    AssignmentRule,
    AssignmentStrategy,
    Lead,
    LeadRating,
    LeadStatus,
)
from .clocks import SLA_CHOICES

# --- Filters ----------------------------------------------------------------------------------


class SlaStateFilter(ClockStateFilter):
    """Leads by the state of the clock that matters now (acceptance while offered, first contact after),
    as the badge shows it (a cancelled clock reads as met)."""

    title = _("clock")
    states = SLA_CHOICES

    def filter_state(self, queryset, value):
        now = timezone.now()
        acceptance = clock_state_of(Lead, ACCEPTANCE_KIND, now=now, cancelled=ClockState.MET)
        first_contact = clock_state_of(Lead, FIRST_CONTACT_KIND, now=now, cancelled=ClockState.MET)
        current = Case(
            When(status=LeadStatus.OFFERED, then=acceptance),
            When(status__in=WORKING_STATUSES, then=first_contact),
            default=Value(NO_CLOCK),
        )
        return queryset.alias(_clock_state=current).filter(_clock_state=value)


class RatingFilter(admin.SimpleListFilter):
    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return LeadRating.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(rating=value) if value else queryset


class CountryFilter(admin.SimpleListFilter):
    """The countries of the leads the user sees (not of every lead)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Lead.objects.visible_to(request.user).order_by("country").values_list("country", flat=True).distinct()
        return [(code, f"{country_name(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(country=value.upper()) if value else queryset


class RuleFilter(admin.SimpleListFilter):
    title = _("rule used")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [
            ("manual", _("Assigned by hand")),
            *((str(pk), name) for pk, name in AssignmentRule.objects.values_list("pk", "name")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "manual":
            return queryset.filter(current_strategy=AssignmentStrategy.MANUAL)
        if value and value.isdigit():
            return queryset.filter(rule_id=int(value))
        return queryset.none() if value else queryset
