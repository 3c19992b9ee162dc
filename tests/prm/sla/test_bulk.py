"""The bulk services write what the single-row services write, one statement per plan or per call."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Partner
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.sla.models import BusinessCalendar, Deadline, DeadlineState
from prm.sla.services import (
    ClockStart,
    deadline_cancel,
    deadline_met,
    deadline_pause,
    deadline_start,
    deadlines_close,
    deadlines_start_many,
)
from tests import factories
from tests.prm.sla.conftest import paris

HOUR = 3600
START = paris(2026, 3, 2, 9)  # Monday
# What a deadline row and its audit event hold apart from the object and the time of writing.
DEADLINE_FIELDS = (
    "kind",
    "content_type_id",
    "calendar_id",
    "duration_seconds",
    "consumed_seconds",
    "started_at",
    "resumed_at",
    "due_at",
    "reminder_fractions",
    "reminders_sent",
    "next_fire_at",
    "state",
    "attempts",
    "last_error",
    "closed_at",
)
EVENT_FIELDS = ("actor_id", "actor_label", "action", "content_type_id", "from_state", "to_state", "reason", "ip")


@pytest.fixture
def partners(db):
    return [factories.PartnerFactory() for _ in range(4)]


@pytest.fixture
def actor(db):
    return factories.staff_user(StaffRole.CHANNEL_MANAGER)


def _row(deadline: Deadline) -> dict:
    deadline.refresh_from_db()
    return {field: getattr(deadline, field) for field in DEADLINE_FIELDS}


def _event(deadline: Deadline, action: str) -> dict:
    event = AuditEvent.objects.get(action=action, object_id=str(deadline.pk))
    assert event.partner_id == deadline.partner_id
    assert event.object_repr == str(deadline)
    data = dict(event.data)
    assert data.pop("object_id") == deadline.object_id
    return {**{field: getattr(event, field) for field in EVENT_FIELDS}, "data": data}


def _start_many(actor, kind, clocks, **kwargs):
    return deadlines_start_many(actor=actor, model=Partner, kind=kind, clocks=clocks, start=START, **kwargs)


def test_start_many_writes_what_deadline_start_writes(partners, paris_calendar, recorder, actor):
    single = deadline_start(
        actor=actor,
        obj=partners[0],
        kind=recorder.kind,
        calendar=paris_calendar,
        duration_seconds=18 * HOUR,
        start=START,
    )
    ids = _start_many(actor, recorder.kind, [ClockStart(p.pk, p.pk, paris_calendar, 18 * HOUR) for p in partners[1:]])
    assert len(ids) == 3
    for pk, partner in zip(sorted(ids), partners[1:], strict=True):
        bulk = Deadline.objects.get(pk=pk)
        assert (bulk.object_id, bulk.partner_id) == (partner.pk, partner.pk)
        assert _row(bulk) == _row(single)
        assert _event(bulk, "sla.started") == _event(single, "sla.started")


def test_start_many_writes_one_statement_per_plan(partners, paris_calendar, recorder):
    other = BusinessCalendar.objects.create(name="Other", time_zone="America/Sao_Paulo")
    clocks = [
        ClockStart(partners[0].pk, partners[0].pk, paris_calendar, 18 * HOUR),
        ClockStart(partners[1].pk, partners[1].pk, paris_calendar, 18 * HOUR),
        ClockStart(partners[2].pk, partners[2].pk, paris_calendar, 9 * HOUR),
        ClockStart(partners[3].pk, partners[3].pk, other, 18 * HOUR),
    ]
    with CaptureQueriesContext(connection) as queries:
        _start_many(None, recorder.kind, clocks)
    writes = [query["sql"] for query in queries if "INSERT" in query["sql"]]
    assert len(writes) == 3  # three plans: calendar and duration
    assert Deadline.objects.count() == 4
    assert AuditEvent.objects.filter(action="sla.started", actor__isnull=True).count() == 4
    due = dict(Deadline.objects.values_list("object_id", "due_at"))
    assert due[partners[0].pk] == due[partners[1].pk] == paris(2026, 3, 3, 18)
    assert due[partners[2].pk] == paris(2026, 3, 2, 18)


def test_start_many_keeps_a_running_clock_as_deadline_start_does(partners, paris_calendar, recorder):
    running = deadline_start(
        actor=None, obj=partners[0], kind=recorder.kind, calendar=paris_calendar, duration_seconds=HOUR, start=START
    )
    deadline_pause(actor=None, deadline=running, at=paris(2026, 3, 2, 9, 30))
    clocks = [ClockStart(p.pk, p.pk, paris_calendar, 18 * HOUR) for p in partners[:2]]
    ids = _start_many(None, recorder.kind, [*clocks, clocks[1]])  # the second one twice
    assert len(ids) == 1
    assert Deadline.objects.get(pk=ids[0]).object_id == partners[1].pk
    assert Deadline.objects.count() == 2
    assert AuditEvent.objects.filter(action="sla.started").count() == 2
    assert _start_many(None, recorder.kind, []) == []


def test_start_many_rejects_bad_input(partners, paris_calendar, recorder):
    with pytest.raises(ValueError, match="positive"):
        _start_many(None, recorder.kind, [ClockStart(partners[0].pk, None, paris_calendar, 0)])
    with pytest.raises(ValueError, match="between 0 and 1"):
        _start_many(None, recorder.kind, [ClockStart(partners[0].pk, None, paris_calendar, HOUR)], reminders=(1.5,))
    assert Deadline.objects.count() == 0


@pytest.mark.parametrize(
    ("cancel", "single", "action"), [(False, deadline_met, "sla.met"), (True, deadline_cancel, "sla.cancelled")]
)
def test_close_writes_what_the_single_services_write(partners, paris_calendar, recorder, actor, cancel, single, action):
    def start(partner):
        return deadline_start(
            actor=None,
            obj=partner,
            kind=recorder.kind,
            calendar=paris_calendar,
            duration_seconds=18 * HOUR,
            start=START,
        )

    open_one, open_many, paused_one, paused_many = (start(partner) for partner in partners)
    for paused in (paused_one, paused_many):
        deadline_pause(actor=None, deadline=paused, at=paris(2026, 3, 2, 11))
    at = paris(2026, 3, 2, 15)
    for deadline in (open_one, paused_one):
        single(actor=actor, deadline=deadline, at=at, reason="done")
    closed = deadlines_close(actor=actor, deadlines=[open_many, paused_many.pk], cancel=cancel, at=at, reason="done")
    assert sorted(closed) == sorted([open_many.pk, paused_many.pk])
    assert _row(open_many) == _row(open_one)  # six business hours used
    assert open_many.consumed_seconds == 6 * HOUR
    assert _row(paused_many) == _row(paused_one)  # two, before the pause
    assert paused_many.consumed_seconds == 2 * HOUR
    for bulk, one in ((open_many, open_one), (paused_many, paused_one)):
        assert _event(bulk, action) == _event(one, action)


def test_close_leaves_closed_deadlines_and_takes_a_queryset(partners, paris_calendar, recorder):
    deadlines = [
        deadline_start(
            actor=None, obj=partner, kind=recorder.kind, calendar=paris_calendar, duration_seconds=HOUR, start=START
        )
        for partner in partners
    ]
    deadline_met(actor=None, deadline=deadlines[0], at=paris(2026, 3, 2, 9, 30))
    with CaptureQueriesContext(connection) as queries:
        closed = deadlines_close(
            actor=None, deadlines=Deadline.objects.filter(kind=recorder.kind), cancel=True, at=paris(2026, 3, 2, 10)
        )
    # Lock, the calendars and their holidays, one UPDATE with its audit events, whatever the number of rows.
    assert len([query for query in queries if "SAVEPOINT" not in query["sql"]]) == 4
    assert sorted(closed) == sorted(deadline.pk for deadline in deadlines[1:])
    states = dict(Deadline.objects.values_list("pk", "state"))
    assert states[deadlines[0].pk] == DeadlineState.MET
    assert {states[deadline.pk] for deadline in deadlines[1:]} == {DeadlineState.CANCELLED}
    assert AuditEvent.objects.filter(action="sla.cancelled").count() == 3
    assert deadlines_close(actor=None, deadlines=deadlines, at=paris(2026, 3, 2, 11)) == []
    assert AuditEvent.objects.filter(action="sla.met").count() == 1
