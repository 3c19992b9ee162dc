import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy import ScopedQuerySet


def default_working_days():
    return [0, 1, 2, 3, 4]  # Monday to Friday


class BusinessCalendar(models.Model):
    """Working days and hours of a program, in its own time zone, with holidays."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    working_days = models.JSONField(
        _("working days"), default=default_working_days, help_text=_("Weekday numbers, Monday is 0.")
    )
    work_starts = models.TimeField(_("work starts"), default=datetime.time(9, 0))
    work_ends = models.TimeField(_("work ends"), default=datetime.time(18, 0))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(work_ends__gt=models.F("work_starts")), name="calendar_work_ends_after_start"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = _("Unknown time zone.")
        days = self.working_days
        if (
            not isinstance(days, list)
            or not days
            or len(set(days)) != len(days)
            or not all(isinstance(day, int) and 0 <= day <= 6 for day in days)
        ):
            errors["working_days"] = _("List distinct weekday numbers from 0 (Monday) to 6 (Sunday).")
        if self.work_starts and self.work_ends and self.work_ends <= self.work_starts:
            errors["work_ends"] = _("Work must end after it starts.")
        if errors:
            raise ValidationError(errors)


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")]

    def __str__(self):
        return f"{self.date} {self.name}"


class DeadlineState(models.TextChoices):
    OPEN = "open", _("open")
    MET = "met", _("met")
    BREACHED = "breached", _("breached")
    PAUSED = "paused", _("paused")
    CANCELLED = "cancelled", _("cancelled")


# The only state changes a deadline may make. Services consult it through check_transition().
TRANSITIONS: dict[str, frozenset[str]] = {
    DeadlineState.OPEN: frozenset(
        {DeadlineState.MET, DeadlineState.BREACHED, DeadlineState.PAUSED, DeadlineState.CANCELLED}
    ),
    DeadlineState.PAUSED: frozenset({DeadlineState.OPEN, DeadlineState.MET, DeadlineState.CANCELLED}),
    DeadlineState.MET: frozenset(),
    DeadlineState.BREACHED: frozenset(),
    DeadlineState.CANCELLED: frozenset(),
}

ACTIVE_STATES = (DeadlineState.OPEN, DeadlineState.PAUSED)


class IllegalTransition(Exception):
    """A deadline was asked to change to a state its current state does not lead to."""

    def __init__(self, deadline, to_state):
        self.deadline = deadline
        self.from_state = deadline.state
        self.to_state = to_state
        super().__init__(f"Deadline {deadline.pk} ({deadline.kind}) cannot go from '{deadline.state}' to '{to_state}'.")


def default_reminder_fractions():
    return [0.5, 0.8]


class DeadlineQuerySet(ScopedQuerySet):
    partner_path = "partner_id"

    def due(self, now):
        return self.filter(state=DeadlineState.OPEN, next_fire_at__lte=now)

    def active(self):
        return self.filter(state__in=ACTIVE_STATES)

    def for_object(self, obj, kind: str | None = None):
        qs = self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
        return qs if kind is None else qs.filter(kind=kind)


class Deadline(models.Model):
    """A business-time clock on one object, with reminders, swept by prm.sla.services.deadlines_sweep.

    `kind` names the handler (prm.sla.registry) that the owning app registered. The clock runs
    from `resumed_at` while open; `consumed_seconds` holds the business time used before the
    last pause. `next_fire_at` is the next reminder or, when all were sent, `due_at`.
    """

    # Clocks are looked up by object (sla_deadline_object) or by due time (sla_deadline_due_open):
    # no single-column index on the kind or the content type.
    kind = models.CharField(_("kind"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+", db_index=False)
    object_id = models.BigIntegerField(_("object id"))
    target = GenericForeignKey("content_type", "object_id")
    partner_id = models.BigIntegerField(_("partner"), null=True, blank=True, db_index=True)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("business calendar"), on_delete=models.PROTECT, related_name="deadlines"
    )
    duration_seconds = models.PositiveIntegerField(_("duration (business seconds)"))
    consumed_seconds = models.PositiveIntegerField(_("business seconds used before the last pause"), default=0)
    started_at = models.DateTimeField(_("started at"))
    resumed_at = models.DateTimeField(_("clock running since"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    reminder_fractions = models.JSONField(
        _("reminders (fractions of the duration)"), default=default_reminder_fractions
    )
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    next_fire_at = models.DateTimeField(_("next action at"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=DeadlineState.choices, default=DeadlineState.OPEN)
    attempts = models.PositiveIntegerField(_("failed handler attempts"), default=0)
    last_error = models.TextField(_("last handler error"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_fire_at", "id"], condition=models.Q(state="open"), name="sla_deadline_due_open"),
            models.Index(fields=["content_type", "object_id", "kind"], name="sla_deadline_object"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=models.Q(state__in=["open", "paused"]),
                name="sla_deadline_one_active_per_object_kind",
            ),
            models.CheckConstraint(
                condition=models.Q(consumed_seconds__lte=models.F("duration_seconds")),
                name="sla_deadline_consumed_within_duration",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.object_id} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    def check_transition(self, to_state: str) -> None:
        if to_state not in TRANSITIONS[self.state]:
            raise IllegalTransition(self, to_state)

    def reminder_offsets(self) -> list[float]:
        """Business seconds from the start of the clock at which each reminder falls."""
        return [fraction * self.duration_seconds for fraction in self.reminder_fractions]
