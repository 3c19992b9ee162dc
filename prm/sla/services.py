"""Writes of the SLA engine: start, pause, resume, meet and cancel deadlines, and the sweeper.

A closed deadline (met, breached, cancelled) is final. Meeting or cancelling a deadline that
is already closed changes nothing and returns it: the work was finished or dropped after the
clock had stopped, for instance after the sweeper recorded the breach. Pausing or resuming a
closed deadline is an IllegalTransition. See docs/adr/0002-sla-engine.md.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from prm.audit.services import audit_record, current_ip
from prm.notifications.services import deliveries_batched

from .bulk_sql import CLOSE_MANY_SQL, START_MANY_SQL
from .calendar import Schedule, add_business_time, business_seconds_between
from .memo import batch_memo
from .models import ACTIVE_STATES, BusinessCalendar, Deadline, DeadlineState, Holiday
from .registry import handler_for

logger = logging.getLogger(__name__)

CLOSED_STATES = (DeadlineState.MET, DeadlineState.BREACHED, DeadlineState.CANCELLED)
DEFAULT_REMINDERS = (0.5, 0.8)


class UnknownDeadlineKind(LookupError):
    """No handler is registered for the kind of a due deadline."""


@dataclass
class SweepResult:
    reminders: int = 0
    breaches: int = 0
    failures: int = 0
    batches: int = 0
    skipped: int = 0  # reminders passed over because a later event was due too (see _skip_passed_reminders)
    connection_lost: bool = False  # the sweep stopped: its last batch rolled back with the connection

    @property
    def handled(self) -> int:
        return self.reminders + self.breaches

    def add(self, batch: SweepResult) -> None:
        """Count a committed batch."""
        self.reminders += batch.reminders
        self.breaches += batch.breaches
        self.failures += batch.failures
        self.skipped += batch.skipped
        self.batches += 1


def _moment(value: datetime.datetime | None) -> datetime.datetime:
    value = value or timezone.now()
    if timezone.is_naive(value):
        raise ValueError("Deadline times must be timezone-aware.")
    return value


def _normalize_reminders(reminders: Iterable[float]) -> list[float]:
    fractions = sorted({float(fraction) for fraction in reminders})
    if any(not 0 < fraction < 1 for fraction in fractions):
        raise ValueError("Reminder fractions must lie strictly between 0 and 1.")
    return fractions


def _partner_id_of(obj) -> int | None:
    partner_id = getattr(obj, "partner_id", None)
    if partner_id is None and obj._meta.label == "partners.Partner":
        partner_id = obj.pk
    return partner_id


def _lock(deadline: Deadline | int) -> Deadline:
    pk = deadline.pk if isinstance(deadline, Deadline) else deadline
    return Deadline.objects.select_for_update(of=("self",)).select_related("calendar").get(pk=pk)


def _next_fire_at(deadline: Deadline, schedule: Schedule) -> datetime.datetime | None:
    """The next reminder of a running clock, or its due time when every reminder was sent."""
    if deadline.state != DeadlineState.OPEN:
        return None
    offsets = deadline.reminder_offsets()
    if deadline.reminders_sent < len(offsets):
        offset = max(0.0, offsets[deadline.reminders_sent] - deadline.consumed_seconds)
        return min(add_business_time(schedule, deadline.resumed_at, offset), deadline.due_at)
    return deadline.due_at


def deadline_plan(deadline: Deadline, schedule: Schedule) -> None:
    """Compute due_at and next_fire_at of a running clock from the business time left (for bulk starts too)."""
    remaining = deadline.duration_seconds - deadline.consumed_seconds
    deadline.due_at = add_business_time(schedule, deadline.resumed_at, remaining)
    deadline.next_fire_at = _next_fire_at(deadline, schedule)


def _use_time(deadline: Deadline, schedule: Schedule, until: datetime.datetime) -> None:
    """Add the business time since the clock last (re)started to consumed_seconds."""
    used = business_seconds_between(schedule, deadline.resumed_at, until)
    deadline.consumed_seconds = min(deadline.duration_seconds, deadline.consumed_seconds + used)


def _audit(*, actor, deadline: Deadline, action: str, from_state: str = "", reason: str = "", **data) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=deadline,
        from_state=from_state,
        to_state=deadline.state,
        reason=reason,
        data={
            "kind": deadline.kind,
            "content_type_id": deadline.content_type_id,
            "object_id": deadline.object_id,
            **data,
        },
    )


def deadline_start(
    *,
    actor,
    obj,
    kind: str,
    calendar: BusinessCalendar,
    duration_seconds: int,
    reminders: Iterable[float] = DEFAULT_REMINDERS,
    partner_id: int | None = None,
    start: datetime.datetime | None = None,
) -> Deadline:
    """Start a business-time clock of `kind` on `obj`.

    While a deadline of the same kind on the same object is open or paused, that deadline is
    returned instead of a second one.
    """
    if obj.pk is None:
        raise ValueError("A deadline needs a saved object.")
    if not isinstance(duration_seconds, int) or duration_seconds <= 0:
        raise ValueError("duration_seconds must be a positive whole number of business seconds.")
    fractions = _normalize_reminders(reminders)
    start = _moment(start)
    content_type = ContentType.objects.get_for_model(obj)
    active = Deadline.objects.filter(content_type=content_type, object_id=obj.pk, kind=kind, state__in=ACTIVE_STATES)
    schedule = Schedule.from_calendar(calendar)
    with transaction.atomic():
        existing = active.select_for_update().first()
        if existing is not None:
            return existing
        deadline = Deadline(
            kind=kind,
            content_type=content_type,
            object_id=obj.pk,
            partner_id=partner_id if partner_id is not None else _partner_id_of(obj),
            calendar=calendar,
            duration_seconds=duration_seconds,
            started_at=start,
            resumed_at=start,
            reminder_fractions=fractions,
            state=DeadlineState.OPEN,
        )
        deadline_plan(deadline, schedule)
        try:
            with transaction.atomic():
                deadline.save()
        except IntegrityError:
            # The same clock was started concurrently and committed first.
            existing = active.first()
            if existing is None:
                raise
            return existing
        _audit(actor=actor, deadline=deadline, action="sla.started", due_at=deadline.due_at.isoformat())
    return deadline


def deadline_pause(
    *, actor, deadline: Deadline | int, at: datetime.datetime | None = None, reason: str = ""
) -> Deadline:
    """Stop the clock (waiting on the other side); the business time used so far is kept."""
    at = _moment(at)
    with transaction.atomic():
        deadline = _lock(deadline)
        if deadline.state == DeadlineState.PAUSED:
            return deadline
        deadline.check_transition(DeadlineState.PAUSED)
        _use_time(deadline, Schedule.from_calendar(deadline.calendar), at)
        from_state = deadline.state
        deadline.state = DeadlineState.PAUSED
        deadline.resumed_at = deadline.due_at = deadline.next_fire_at = None
        deadline.save()
        _audit(actor=actor, deadline=deadline, action="sla.paused", from_state=from_state, reason=reason)
    return deadline


def deadline_resume(
    *, actor, deadline: Deadline | int, at: datetime.datetime | None = None, reason: str = ""
) -> Deadline:
    """Restart a paused clock; due_at is the business time left, counted from `at`."""
    at = _moment(at)
    with transaction.atomic():
        deadline = _lock(deadline)
        if deadline.state == DeadlineState.OPEN:
            return deadline
        deadline.check_transition(DeadlineState.OPEN)
        from_state = deadline.state
        deadline.state = DeadlineState.OPEN
        deadline.resumed_at = at
        deadline_plan(deadline, Schedule.from_calendar(deadline.calendar))
        deadline.save()
        _audit(
            actor=actor,
            deadline=deadline,
            action="sla.resumed",
            from_state=from_state,
            reason=reason,
            due_at=deadline.due_at.isoformat(),
        )
    return deadline


def _close(*, actor, deadline, to_state: str, action: str, at, reason: str) -> Deadline:
    at = _moment(at)
    with transaction.atomic():
        deadline = _lock(deadline)
        if deadline.state in CLOSED_STATES:
            return deadline
        deadline.check_transition(to_state)
        from_state = deadline.state
        if from_state == DeadlineState.OPEN:
            _use_time(deadline, Schedule.from_calendar(deadline.calendar), at)
        deadline.state = to_state
        deadline.next_fire_at = None
        deadline.closed_at = at
        deadline.save()
        _audit(actor=actor, deadline=deadline, action=action, from_state=from_state, reason=reason)
    return deadline


def deadline_met(*, actor, deadline: Deadline | int, at: datetime.datetime | None = None, reason: str = "") -> Deadline:
    """The work was done: stop the clock for good."""
    return _close(actor=actor, deadline=deadline, to_state=DeadlineState.MET, action="sla.met", at=at, reason=reason)


def deadline_cancel(
    *, actor, deadline: Deadline | int, at: datetime.datetime | None = None, reason: str = ""
) -> Deadline:
    """The work is no longer expected (withdrawn, reassigned elsewhere): stop the clock for good."""
    return _close(
        actor=actor, deadline=deadline, to_state=DeadlineState.CANCELLED, action="sla.cancelled", at=at, reason=reason
    )


# --- Bulk paths -------------------------------------------------------------------------------
# The same changes and audit events as the single-row services above, written for a whole batch in
# one statement per plan (start) or per call (close): INSERT/UPDATE ... FROM unnest() with the audit
# events in the same statement (``bulk_sql``), never a query per row.


class ClockStart(NamedTuple):
    """One clock of ``deadlines_start_many``."""

    object_id: int
    partner_id: int | None
    calendar: BusinessCalendar
    duration_seconds: int


def _audit_params(actor, state: str) -> dict:
    """What every audit event of a bulk statement shares, as ``audit_record`` would write it."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return {
        "now": timezone.now(),
        "actor": actor.pk if actor is not None else None,
        "actor_label": actor.email if actor is not None else "",
        "deadline_type": ContentType.objects.get_for_model(Deadline).pk,
        "state": state,
        "state_label": str(DeadlineState(state).label),  # str(deadline), in the active language
        "ip": current_ip.get(),
    }


def deadlines_start_many(
    *,
    actor,
    model,
    kind: str,
    clocks: Iterable[ClockStart],
    reminders: Iterable[float] = DEFAULT_REMINDERS,
    start: datetime.datetime | None = None,
) -> list[int]:
    """Start the ``kind`` clock of many objects of ``model`` at once: ``deadline_start`` of each, in bulk.

    The clocks of one calendar and duration have the same plan (due time, first reminder), computed
    once; each plan is written with the ``sla.started`` audit events of its clocks in one statement,
    however many objects it has. An object whose ``kind`` clock is open or paused keeps it and gets
    nothing new, as with ``deadline_start``. Returns the ids of the new deadlines.
    """
    fractions = _normalize_reminders(reminders)
    start = _moment(start)
    plans: dict[tuple[int, int], tuple[Deadline, list[int], list[int | None]]] = {}
    for clock in clocks:
        if not isinstance(clock.duration_seconds, int) or clock.duration_seconds <= 0:
            raise ValueError("duration_seconds must be a positive whole number of business seconds.")
        plan = plans.get((clock.calendar.pk, clock.duration_seconds))
        if plan is None:  # the same calendar, start and duration give the same plan
            template = Deadline(
                duration_seconds=clock.duration_seconds,
                resumed_at=start,
                reminder_fractions=fractions,
                state=DeadlineState.OPEN,
            )
            deadline_plan(template, Schedule.from_calendar(clock.calendar))
            plan = plans[(clock.calendar.pk, clock.duration_seconds)] = (template, [], [])
        plan[1].append(clock.object_id)
        plan[2].append(clock.partner_id)
    if not plans:
        return []
    shared = {
        **_audit_params(actor, DeadlineState.OPEN),
        "kind": kind,
        "content_type": ContentType.objects.get_for_model(model).pk,
        "start": start,
        "reminders": json.dumps(fractions),
    }
    ids: list[int] = []
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for (calendar_id, duration), (template, object_ids, partner_ids) in plans.items():
            cursor.execute(
                START_MANY_SQL,
                {
                    **shared,
                    "calendar": calendar_id,
                    "duration": duration,
                    "due_at": template.due_at,
                    "due_iso": template.due_at.isoformat(),
                    "next_fire_at": template.next_fire_at,
                    "object_ids": object_ids,
                    "partner_ids": partner_ids,
                },
            )
            ids.extend(pk for (pk,) in cursor.fetchall())
    return ids


def deadlines_close(
    *, actor, deadlines, cancel: bool = False, at: datetime.datetime | None = None, reason: str = ""
) -> list[int]:
    """Meet (or, with ``cancel``, cancel) many deadlines at once: ``deadline_met`` or ``deadline_cancel``
    of each, in bulk. ``deadlines`` is a queryset of deadlines, or deadlines or their ids.

    The open and paused ones are locked (in id order) and closed with their ``sla.met`` or
    ``sla.cancelled`` audit events in one statement; the closed ones stay as they are. Returns the
    ids of the deadlines it closed.
    """
    at = _moment(at)
    to_state = DeadlineState.CANCELLED if cancel else DeadlineState.MET
    if isinstance(deadlines, QuerySet):
        ids = deadlines.values("pk")
    else:
        ids = [deadline.pk if isinstance(deadline, Deadline) else int(deadline) for deadline in deadlines]
    with transaction.atomic(savepoint=False):
        rows = list(
            Deadline.objects.filter(pk__in=ids, state__in=ACTIVE_STATES)
            .select_for_update(of=("self",))
            .order_by("pk")
            .only("pk", "state", "calendar_id", "duration_seconds", "consumed_seconds", "resumed_at")
        )
        if not rows:
            return []
        running = [deadline for deadline in rows if deadline.state == DeadlineState.OPEN]
        schedules = _Schedules({deadline.calendar_id for deadline in running}) if running else None
        for deadline in running:
            _use_time(deadline, schedules[deadline.calendar_id], at)
        with connection.cursor() as cursor:
            cursor.execute(
                CLOSE_MANY_SQL,
                {
                    **_audit_params(actor, to_state),
                    "action": "sla.cancelled" if cancel else "sla.met",
                    "at": at,
                    "reason": reason,
                    "ids": [deadline.pk for deadline in rows],
                    "consumed": [deadline.consumed_seconds for deadline in rows],
                    "from_states": [deadline.state for deadline in rows],
                },
            )
            return [pk for (pk,) in cursor.fetchall()]


# --- The sweeper ------------------------------------------------------------------------------


class _Schedules:
    """The calendars of one batch, loaded with two queries."""

    def __init__(self, calendar_ids: set[int]):
        self.calendars = BusinessCalendar.objects.in_bulk(calendar_ids)
        self.holidays: dict[int, list[datetime.date]] = {pk: [] for pk in calendar_ids}
        for calendar_id, date in Holiday.objects.filter(calendar_id__in=calendar_ids).values_list(
            "calendar_id", "date"
        ):
            self.holidays[calendar_id].append(date)
        self.loaded: dict[int, Schedule] = {}

    def __getitem__(self, calendar_id: int) -> Schedule:
        if calendar_id not in self.loaded:
            calendar = self.calendars[calendar_id]
            self.loaded[calendar_id] = Schedule.from_calendar(calendar, holidays=self.holidays[calendar_id])
        return self.loaded[calendar_id]


def _skip_passed_reminders(deadline: Deadline, schedule: Schedule, now: datetime.datetime) -> list[float]:
    """The reminders whose following event (the next reminder, or the breach) is due as well: after
    downtime only the latest due event is sent, so nobody reads "half the time is gone" together with
    "time is up". Moves ``reminders_sent`` past them and returns their fractions."""
    skipped = []
    while deadline.reminders_sent < len(deadline.reminder_fractions):
        fraction = deadline.reminder_fractions[deadline.reminders_sent]
        deadline.reminders_sent += 1
        following = _next_fire_at(deadline, schedule)
        if following is None or following > now:
            deadline.reminders_sent -= 1
            break
        skipped.append(fraction)
    return skipped


def _fire_next(deadline: Deadline, schedules: _Schedules, now: datetime.datetime) -> tuple[str, int]:
    """Send the next reminder or record the breach, and call the handler, in the caller's savepoint.
    Reminders overtaken by a later due event are recorded as skipped (``sla.reminders_skipped``).
    Returns the event and the number of reminders skipped."""
    handler = handler_for(deadline.kind)
    if handler is None:
        raise UnknownDeadlineKind(f"No handler is registered for deadline kind {deadline.kind!r}.")
    schedule = schedules[deadline.calendar_id]
    deadline.attempts, deadline.last_error = 0, ""
    skipped = [] if handler.send_overtaken_reminders else _skip_passed_reminders(deadline, schedule, now)
    if skipped:
        _audit(actor=None, deadline=deadline, action="sla.reminders_skipped", fractions=skipped)
    if deadline.reminders_sent < len(deadline.reminder_fractions):
        fraction = deadline.reminder_fractions[deadline.reminders_sent]
        deadline.reminders_sent += 1
        deadline.next_fire_at = _next_fire_at(deadline, schedule)
        deadline.save(update_fields=["reminders_sent", "next_fire_at", "attempts", "last_error", "updated_at"])
        _audit(actor=None, deadline=deadline, action="sla.reminder", fraction=fraction)
        if handler.on_reminder is not None:
            handler.on_reminder(deadline, fraction)
            # The handler may have moved the deadline on through a service (met, paused, cancelled).
            deadline.refresh_from_db()
        event = "reminder"
    else:
        deadline.state = DeadlineState.BREACHED
        deadline.consumed_seconds = deadline.duration_seconds
        deadline.next_fire_at = None
        deadline.closed_at = timezone.now()
        deadline.save(
            update_fields=[
                "state",
                "consumed_seconds",
                "next_fire_at",
                "closed_at",
                "attempts",
                "last_error",
                "reminders_sent",
                "updated_at",
            ]
        )
        _audit(actor=None, deadline=deadline, action="sla.breached", from_state=DeadlineState.OPEN)
        if handler.on_breach is not None:
            handler.on_breach(deadline)
        event = "breach"  # final: no handler can move a breached deadline on
    return event, len(skipped)


def _fire_due(deadline: Deadline, now: datetime.datetime, schedules: _Schedules, result: SweepResult) -> bool:
    """Fire what is due of one locked deadline at `now`, in order: the latest due reminder or the
    breach, the reminders it overtook skipped (unless its kind wants every event). False on a failure."""
    while deadline.state == DeadlineState.OPEN and deadline.next_fire_at and deadline.next_fire_at <= now:
        try:
            with transaction.atomic():
                event, skipped = _fire_next(deadline, schedules, now)
        except Exception as exc:
            if _closed(connection.connection):
                raise  # not the handler's fault: the whole batch is gone (see deadlines_sweep)
            logger.exception("Deadline %s (%s): handler failed.", deadline.pk, deadline.kind)
            deadline.refresh_from_db()
            deadline.attempts += 1
            deadline.last_error = f"{type(exc).__name__}: {exc}"[:4000]
            deadline.save(update_fields=["attempts", "last_error", "updated_at"])
            result.failures += 1
            return False
        result.skipped += skipped
        if event == "reminder":
            result.reminders += 1
        else:
            result.breaches += 1
    return True


def _closed(raw) -> bool:
    """Whether a driver connection is gone (server process terminated, failover, network): then every
    error of its batch is that, not a handler's failure. Django may already have opened a new one."""
    return raw is None or bool(raw.closed)


def deadlines_sweep(
    *,
    now: datetime.datetime | None = None,
    batch_size: int = 100,
    max_batches: int = 50,
    on_full_batch: Callable[[], None] | None = None,
) -> SweepResult:
    """Send due reminders and record due breaches, calling the registered handlers.

    Each batch is one transaction that claims its rows with SELECT ... FOR UPDATE SKIP LOCKED,
    so concurrent sweepers share the work and never handle a row twice; a sweeper that dies
    rolls its batch back for the next sweep. A failing handler is recorded on its deadline
    (attempts, last_error) and retried at the next sweep; the others go on. When the database
    connection is lost, the batch is rolled back by the server, nothing is marked failed, the
    broken connection is closed and the sweep stops (``connection_lost``): the next sweep
    redoes the batch. ``on_full_batch`` is called once, after the first full batch committed:
    more may be due (the Celery task queues another sweeper then).
    """
    now = _moment(now)
    result = SweepResult()
    failed: set[int] = set()
    for _ in range(max_batches):
        batch_result, current = SweepResult(), None
        connection.ensure_connection()
        raw = connection.connection
        try:
            # The deliveries of the batch's notifications go to Celery DELIVERY_CHUNK per task once it commits.
            with deliveries_batched(), transaction.atomic():
                batch = list(
                    Deadline.objects.due(now)
                    .exclude(pk__in=failed)
                    .select_for_update(skip_locked=True, of=("self",))
                    .order_by("next_fire_at", "pk")[:batch_size]
                )
                if not batch:
                    break
                schedules = _Schedules({deadline.calendar_id for deadline in batch})
                with batch_memo(batch):
                    for current in batch:
                        if not _fire_due(current, now, schedules, batch_result):
                            failed.add(current.pk)
                current = None  # what fails from here on is the commit
        except Exception as exc:
            if not _closed(raw):
                raise
            _log_connection_lost(current, exc)
            connection.close()
            result.connection_lost = True
            break
        result.add(batch_result)
        if len(batch) < batch_size:
            break
        if on_full_batch is not None:
            on_full_batch()
            on_full_batch = None
    return result


def _log_connection_lost(deadline: Deadline | None, exc: Exception) -> None:
    error = " ".join(str(exc).split()) or type(exc).__name__
    if deadline is None:
        logger.warning(
            "Database connection lost during the SLA sweep (%s); it will be retried at the next sweep.", error
        )
    else:
        logger.warning(
            "Database connection lost during the sweep of deadline %s (%s): %s. Its batch was rolled back "
            "and will be retried at the next sweep.",
            deadline.pk,
            deadline.kind,
            error,
        )
