"""How a clock reads to a person: its state (on time, due soon, breached, paused, met) and the
business time left ("1 day 3 h"), the same for every workflow that runs on the SLA engine.

Pages read the latest clock of each row with ``prm.sla.latest.LatestClock`` (one query per list
and kind) and show it with ``clock_of``; the calendar is loaded once per list (``Schedule``). Staff queues that
filter by the clock's state read it in SQL instead (``with_clock``: the state and due time of the
latest clock as two correlated sub-queries), show it as a badge (``clock_badge``) and filter by it
(``ClockStateFilter``).

The state has one definition, ``clock_state`` (in Python, for a loaded clock) and ``clock_state_sql``
(the same rules in SQL), over the same columns; ``tests/prm/sla/test_display.py`` holds them equal:

- paused, breached (recorded by the sweeper), met: the deadline's state;
- breached: open and the due time has passed (before the sweeper ran);
- due soon: open and in its last stretch, after the clock's last reminder point
  (``due_soon_from``: that reminder was sent, or its time has come); a clock without reminders
  is never due soon;
- on time: open otherwise.

A cancelled clock has no state of its own: a caller says how it reads (``cancelled``): met on the
pages and in the lead queue, "no clock" in the deal and application queues.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Case, DateTimeField, F, Func, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThanOrEqual
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .calendar import Schedule, business_seconds_between, working_seconds_per_day
from .latest import LATEST
from .models import Deadline, DeadlineState


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


def due_soon_from():
    """When the clock's last stretch ("due soon") begins, as far as the engine's plan knows it: once its
    last reminder was sent (any time up to now: its start), or the time of that reminder once the
    others were sent (``next_fire_at``); NULL before, and for a clock without reminders."""
    reminders = Func(F("reminder_fractions"), function="jsonb_array_length", output_field=IntegerField())
    return Case(
        When(Exact(reminders, 0), then=Value(None)),
        When(GreaterThanOrEqual(F("reminders_sent"), reminders), then=F("started_at")),
        When(Exact(F("reminders_sent"), reminders - 1), then=F("next_fire_at")),
        default=Value(None),
        output_field=DateTimeField(),
    )


NO_CLOCK = "none"  # the row never had the clock (or it was cancelled, where it reads so)

# What a deadline's own state shows; an open one is on time, due soon or breached by its times.
_SHOWN = {
    DeadlineState.PAUSED: ClockState.PAUSED,
    DeadlineState.BREACHED: ClockState.BREACHED,
    DeadlineState.MET: ClockState.MET,
}


def clock_state(
    state: str, due_at: datetime.datetime | None, soon_from: datetime.datetime | None, now, *, cancelled: str
) -> str:
    """The ``ClockState`` of a deadline (``cancelled`` for a cancelled one); ``clock_state_sql`` in SQL."""
    if state in _SHOWN:
        return _SHOWN[state]
    if state == DeadlineState.CANCELLED:
        return cancelled
    if due_at is not None and due_at <= now:
        return ClockState.BREACHED
    if soon_from is not None and soon_from <= now:
        return ClockState.DUE_SOON
    return ClockState.ON_TIME


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


def clock_of(deadline: Deadline | None, schedule: Schedule | None, now: datetime.datetime) -> Clock | None:
    """How a clock reads on a page: a deadline with ``soon_from`` (a ``prm.sla.latest.LatestClock``), or
    None when the object never had one. A cancelled clock reads as met."""
    if deadline is None:
        return None
    due_at = deadline.due_at
    seconds_per_day = _seconds_per_day(schedule)
    shown = clock_state(deadline.state, due_at, getattr(deadline, "soon_from", None), now, cancelled=ClockState.MET)
    if shown == ClockState.PAUSED:
        left = max(0, (deadline.duration_seconds or 0) - (deadline.consumed_seconds or 0))
        return Clock(shown, None, left, business_duration(left, seconds_per_day))
    if shown == ClockState.MET:
        return Clock(shown, due_at, 0, "")
    if shown == ClockState.BREACHED:
        late = business_seconds_between(schedule, due_at, now) if schedule and due_at else 0
        return Clock(shown, due_at, 0, business_duration(late, seconds_per_day))
    left = business_seconds_between(schedule, now, due_at) if schedule and due_at else 0
    return Clock(shown, due_at, left, business_duration(left, seconds_per_day))


def _seconds_per_day(schedule: Schedule | None) -> int:
    return working_seconds_per_day(schedule) if schedule is not None else 8 * 3600


# --- Clocks of staff queues, in SQL ------------------------------------------------------------


def clock_state_sql(now, *, cancelled: str = NO_CLOCK):
    """``clock_state`` in SQL, over a Deadline queryset: the ``ClockState`` of each row (``cancelled``
    for a cancelled one)."""
    open_ = Q(state=DeadlineState.OPEN)
    return Case(
        *(When(state=state, then=Value(shown)) for state, shown in _SHOWN.items()),
        When(state=DeadlineState.CANCELLED, then=Value(cancelled)),
        When(open_ & Q(due_at__lte=now), then=Value(ClockState.BREACHED)),
        When(open_ & Q(soon_from__lte=now), then=Value(ClockState.DUE_SOON)),
        When(open_, then=Value(ClockState.ON_TIME)),
        default=Value(NO_CLOCK),
    )


def with_clock_state(deadlines, now, *, cancelled: str = NO_CLOCK):
    """Deadlines annotated with ``clock_state`` (see ``clock_state_sql``)."""
    return deadlines.annotate(soon_from=due_soon_from()).annotate(clock_state=clock_state_sql(now, cancelled=cancelled))


def _latest_clocks(model, kind: str):
    # Joined by app label and model name, so no ContentType query runs.
    return Deadline.objects.filter(
        content_type__app_label=model._meta.app_label,
        content_type__model=model._meta.model_name,
        kind=kind,
        object_id=OuterRef("pk"),
    ).order_by(*LATEST)


def clock_state_of(model, kind: str, *, now=None, cancelled: str = NO_CLOCK):
    """The ``ClockState`` of the latest ``kind`` clock of each row of ``model`` (``NO_CLOCK`` without
    one), as one correlated sub-query: for ``annotate`` or ``alias``."""
    states = with_clock_state(_latest_clocks(model, kind), now or timezone.now(), cancelled=cancelled)
    return Coalesce(Subquery(states.values("clock_state")[:1]), Value(NO_CLOCK))


def with_clock(queryset, *, kind: str, state_as: str, due_as: str, now=None, cancelled: str = NO_CLOCK):
    """Rows annotated with ``state_as`` (a ``ClockState`` value, or ``NO_CLOCK``) and ``due_as`` of
    their latest ``kind`` clock: one correlated sub-query per column, whatever the number of rows."""
    model = queryset.model
    return queryset.annotate(
        **{
            state_as: clock_state_of(model, kind, now=now, cancelled=cancelled),
            due_as: Subquery(_latest_clocks(model, kind).values("due_at")[:1]),
        }
    )


class ClockStateFilter(admin.SimpleListFilter):
    """Rows by the state of their clock, as their badge shows it: the ``state_field`` annotation of
    ``with_clock`` (or what ``filter_state`` reads). ``states``: the states offered, with their labels."""

    parameter_name = "sla"
    state_field = "sla_state"
    states: list[tuple[str, str]] = []

    def lookups(self, request, model_admin):
        return self.states

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in {state for state, _label in self.states}:
            return queryset.none()
        return self.filter_state(queryset, value)

    def filter_state(self, queryset, value: str):
        return queryset.filter(**{self.state_field: value})


def clock_badge(state: str, label, due_at=None) -> str:
    """A list cell: the clock's state as a coloured badge (style: ``static/css/admin-sla.css``) and,
    unless it is met, when it is due; "—" without a clock."""
    if state == NO_CLOCK:
        return "—"
    if due_at is not None and state != ClockState.MET:
        when = formats.date_format(timezone.localtime(due_at), "DATETIME_FORMAT")
        return format_html(
            '<span class="sla-badge sla-{}">{}</span> <span class="sla-due">{}</span>',
            state,
            label,
            gettext("due %(when)s") % {"when": when},
        )
    return format_html('<span class="sla-badge sla-{}">{}</span>', state, label)
