"""How a clock reads to a person: its state (on time, due soon, breached, paused, met) and the
business time left ("1 day 3 h"), the same for every workflow that runs on the SLA engine.

Lists annotate the few deadline columns they need (``deadline_columns``) so that showing a clock
costs no query per row; the calendar is loaded once per list (``Schedule``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

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
