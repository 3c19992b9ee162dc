"""How a clock reads to a person: its state (on time, due soon, breached, paused, met) and the
business time left ("1 day 3 h"), the same for every workflow that runs on the SLA engine.

Lists annotate the few deadline columns they need (``deadline_columns``) so that showing a clock
costs no query per row; the calendar is loaded once per list (``Schedule``). Staff queues that
filter by the clock's state read it in SQL instead (``with_clock``: the state and due time of the
latest clock as two correlated sub-queries) and show it as a badge (``clock_badge``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .calendar import Schedule, business_seconds_between, working_seconds_per_day
from .models import Deadline, DeadlineState

# The last fifth of the time is "due soon" (after the 80% reminder).
DUE_SOON_FRACTION = 0.2


class ClockState:
    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"

    LABELS = {
        ON_TIME: _("on time"),
        DUE_SOON: _("due soon"),
        BREACHED: _("breached"),
        PAUSED: _("paused"),
        MET: _("met"),
    }


def deadline_columns(model, kind: str, prefix: str) -> dict:
    """Annotations with the state, due time, duration and used time of the latest ``kind`` clock of each row."""
    latest = Deadline.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=OuterRef("pk"), kind=kind
    ).order_by("-created_at", "-id")
    return {
        f"{prefix}_{column}": Subquery(latest.values(column)[:1])
        for column in ("state", "due_at", "duration_seconds", "consumed_seconds", "calendar_id")
    }


def business_duration(seconds: int, seconds_per_day: int) -> str:
    """Business time in days and hours ("1 day 3 h"), or hours and minutes under a day."""
    seconds = max(0, int(seconds))
    days, rest = divmod(seconds, max(1, seconds_per_day))
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        text = ngettext("%(count)d day", "%(count)d days", days) % {"count": days}
        return f"{text} {hours} h" if hours else text
    if hours:
        return f"{hours} h {minutes:02d} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@dataclass(frozen=True)
class Clock:
    state: str
    due_at: datetime.datetime | None
    remaining_seconds: int  # business seconds left (0 once due); for a paused clock, what is left when it resumes
    remaining_text: str

    @property
    def label(self) -> str:
        return str(ClockState.LABELS[self.state])

    @property
    def is_running(self) -> bool:
        return self.state in (ClockState.ON_TIME, ClockState.DUE_SOON)


def clock_from_row(row, prefix: str, schedule: Schedule | None, now: datetime.datetime) -> Clock | None:
    """The clock of an annotated row (see ``deadline_columns``); None when it never had one."""
    state = getattr(row, f"{prefix}_state", None)
    if state is None:
        return None
    due_at = getattr(row, f"{prefix}_due_at")
    duration = getattr(row, f"{prefix}_duration_seconds") or 0
    seconds_per_day = _seconds_per_day(schedule)
    if state == DeadlineState.PAUSED:
        left = max(0, duration - (getattr(row, f"{prefix}_consumed_seconds") or 0))
        return Clock(ClockState.PAUSED, None, left, business_duration(left, seconds_per_day))
    if state in (DeadlineState.MET, DeadlineState.CANCELLED):
        return Clock(ClockState.MET, due_at, 0, "")
    if state == DeadlineState.BREACHED or (due_at is not None and due_at <= now):
        late = business_seconds_between(schedule, due_at, now) if schedule and due_at else 0
        return Clock(ClockState.BREACHED, due_at, 0, business_duration(late, seconds_per_day))
    left = business_seconds_between(schedule, now, due_at) if schedule and due_at else 0
    soon = duration and left <= duration * DUE_SOON_FRACTION
    return Clock(
        ClockState.DUE_SOON if soon else ClockState.ON_TIME, due_at, left, business_duration(left, seconds_per_day)
    )


def _seconds_per_day(schedule: Schedule | None) -> int:
    return working_seconds_per_day(schedule) if schedule is not None else 8 * 3600


# --- Clocks of staff queues, in SQL ------------------------------------------------------------

NO_CLOCK = "none"  # the row never had the clock (or it was cancelled)


def clock_state_sql(now):
    """The ``ClockState`` of a Deadline row in SQL (``NO_CLOCK`` for a cancelled one).

    Breached: the sweeper recorded the breach, or the due time has passed (before the sweeper ran).
    Due soon: the clock is in its last stretch, after its last reminder point (80 % of the time,
    counted in business time by the engine): that reminder was sent, or its time has come.
    """
    open_ = Q(state=DeadlineState.OPEN)
    last_reminder_passed = Q(reminder_count__gt=0) & (
        Q(reminders_sent__gte=F("reminder_count")) | Q(reminders_sent=F("reminder_count") - 1, next_fire_at__lte=now)
    )
    return Case(
        When(state=DeadlineState.PAUSED, then=Value(ClockState.PAUSED)),
        When(state=DeadlineState.BREACHED, then=Value(ClockState.BREACHED)),
        When(state=DeadlineState.MET, then=Value(ClockState.MET)),
        When(open_ & Q(due_at__lte=now), then=Value(ClockState.BREACHED)),
        When(open_ & last_reminder_passed, then=Value(ClockState.DUE_SOON)),
        When(open_, then=Value(ClockState.ON_TIME)),
        default=Value(NO_CLOCK),
    )


def with_clock(queryset, *, kind: str, state_as: str, due_as: str, now=None):
    """Rows annotated with ``state_as`` (a ``ClockState`` value, or ``NO_CLOCK``) and ``due_as`` of
    their latest ``kind`` clock: one correlated sub-query per column, whatever the number of rows.
    The deadlines are joined by app label and model name, so no ContentType query runs."""
    now = now or timezone.now()
    model = queryset.model
    latest = Deadline.objects.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        kind=kind,
        object_id=OuterRef("pk"),
    ).order_by("-started_at", "-pk")
    badge = latest.annotate(
        reminder_count=Func(F("reminder_fractions"), function="jsonb_array_length", output_field=IntegerField()),
        badge=clock_state_sql(now),
    ).values("badge")[:1]
    return queryset.annotate(
        **{
            state_as: Coalesce(Subquery(badge), Value(NO_CLOCK)),
            due_as: Subquery(latest.values("due_at")[:1]),
        }
    )


def clock_badge(state: str, label, due_at=None) -> str:
    """A list cell: the clock's state as a coloured badge (style: ``static/css/admin-sla.css``) and,
    unless it is met, when it is due; "—" without a clock."""
    if state == NO_CLOCK:
        return "—"
    if due_at is not None and state != ClockState.MET:
        when = formats.date_format(timezone.localtime(due_at), "SHORT_DATETIME_FORMAT")
        return format_html(
            '<span class="sla-badge sla-{}">{}</span> <span class="sla-due">{}</span>',
            state,
            label,
            gettext("due %(when)s") % {"when": when},
        )
    return format_html('<span class="sla-badge sla-{}">{}</span>', state, label)
