"""What the deal changelist reads and filters by: the state of the decision clock (the badge and its
filter), the partner's CAMs, the statuses staff meet, the pending second approvals."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, TextChoices
from django.utils.translation import gettext_lazy as _

from prm.sla.display import ClockStateFilter, with_clock
from prm.sla.models import Deadline
from prm.tenancy import cam_grants

from .. import services
from ..models import Deal, DealStatus
from ..selectors import SECOND_APPROVAL_PENDING

# --- The decision clock -----------------------------------------------------------------------


class SlaState(TextChoices):
    """What the changelist shows of a deal's decision clock."""

    ON_TIME = "on_time", _("on time")
    DUE_SOON = "due_soon", _("due soon")
    BREACHED = "breached", _("breached")
    PAUSED = "paused", _("paused")
    MET = "met", _("decided in time")
    NONE = "none", _("no clock")


def _decision_deadlines():
    # Joined by app label and model name, so no ContentType query runs whatever the cache holds.
    return Deadline.objects.filter(
        content_type__app_label=Deal._meta.app_label,
        content_type__model=Deal._meta.model_name,
        kind=services.DECISION_KIND,
    )


def with_decision_clock(queryset, *, now=None):
    """Deals annotated with ``sla_state`` (a SlaState value) and ``sla_due_at`` of their latest decision clock."""
    return with_clock(queryset, kind=services.DECISION_KIND, state_as="sla_state", due_as="sla_due_at", now=now)


def with_cams(queryset):
    """Deals annotated with ``cam_emails``: the active CAMs of the deal's partner, one array sub-query."""
    cams = (
        cam_grants()
        .filter(content_object_id=OuterRef("partner_id"), user__is_active=True)
        .order_by("user__email")
        .values("user__email")
    )
    return queryset.annotate(cam_emails=ArraySubquery(cams))


# --- Filters ----------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """The statuses staff meet: no "draft", since a draft is the partner's until it is submitted.
    The parameter keeps the name of the field filter it replaces."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in DealStatus.choices if value != DealStatus.DRAFT]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(status=value) if value in DealStatus.values else queryset.none()


class SlaStateFilter(ClockStateFilter):
    """Deals by the state of their decision clock (``sla_state`` of ``with_decision_clock``), as the badge shows it."""

    title = _("decision clock")
    states = SlaState.choices


class SecondApprovalFilter(admin.SimpleListFilter):
    title = _("second approval pending")
    parameter_name = "second"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        pending = SECOND_APPROVAL_PENDING
        if self.value() == "yes":
            return queryset.filter(pending)
        if self.value() == "no":
            return queryset.exclude(pending)
        return queryset
