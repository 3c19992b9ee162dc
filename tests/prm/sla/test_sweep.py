import threading

import pytest
from django.db import connection

from prm.audit.models import AuditEvent
from prm.audit.services import audit_record
from prm.sla.models import Deadline, DeadlineState
from prm.sla.registry import register_handler, unregister_handler
from prm.sla.services import deadline_met, deadline_start, deadlines_sweep
from tests import factories
from tests.prm.sla import handlers
from tests.prm.sla.conftest import handled_counts, paris

HOUR = 3600


@pytest.fixture
def start(paris_calendar, recorder):
    def start(obj=None, **kwargs):
        options = {
            "actor": None,
            "obj": obj or factories.PartnerFactory(),
            "kind": recorder.kind,
            "calendar": paris_calendar,
            "duration_seconds": 10 * HOUR,  # Monday 09:00 to Tuesday 10:00
            "start": paris(2026, 3, 2, 9),
        }
        options.update(kwargs)
        return deadline_start(**options)

    return start


def test_reminders_then_breach_each_at_its_time(start, recorder):
    deadline = start()
    assert deadlines_sweep(now=paris(2026, 3, 2, 13, 59)).handled == 0

    result = deadlines_sweep(now=paris(2026, 3, 2, 14))  # 50 %: 5 business hours
    assert (result.reminders, result.breaches) == (1, 0)
    deadline.refresh_from_db()
    assert deadline.reminders_sent == 1
    assert deadline.next_fire_at == paris(2026, 3, 2, 17)  # 80 %: 8 business hours

    deadlines_sweep(now=paris(2026, 3, 2, 17))
    assert deadlines_sweep(now=paris(2026, 3, 3, 9, 59)).handled == 0
    result = deadlines_sweep(now=paris(2026, 3, 3, 10))
    assert (result.reminders, result.breaches) == (0, 1)

    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.BREACHED
    assert deadline.next_fire_at is None
    assert recorder.events_of(deadline) == [("reminder", 0.5), ("reminder", 0.8), ("breach",)]
    actions = AuditEvent.objects.filter(object_id=str(deadline.pk)).order_by("id").values_list("action", flat=True)
    assert list(actions) == ["sla.started", "sla.reminder", "sla.reminder", "sla.breached"]


def test_sweeping_twice_handles_once(start, every_event_recorder):
    deadlines = [start(kind=every_event_recorder.kind) for _ in range(3)]
    now = paris(2026, 3, 9, 9)
    assert deadlines_sweep(now=now).handled == 9
    assert deadlines_sweep(now=now).handled == 0
    assert len(every_event_recorder.calls) == 9
    assert all(len(every_event_recorder.events_of(deadline)) == 3 for deadline in deadlines)


def _skipped(deadline):
    events = AuditEvent.objects.filter(action="sla.reminders_skipped", object_id=str(deadline.pk))
    return [event.data["fractions"] for event in events.order_by("id")]


def test_catch_up_after_downtime_sends_only_the_latest_due_event(start, recorder):
    first = start()
    second = start()
    deadlines_sweep(now=paris(2026, 3, 2, 14))  # both got their 50 % reminder
    recorder.calls.clear()

    third = start(start=paris(2026, 3, 2, 10))  # its 50 % reminder falls at 15:00, before their 80 % at 17:00
    result = deadlines_sweep(now=paris(2026, 3, 16, 9))  # two weeks later: every clock is past its due time

    # Nobody reads "time is running out" together with "time is up": the breach alone, the
    # reminders it overtook recorded as skipped.
    assert (result.reminders, result.breaches, result.skipped) == (0, 3, 4)
    assert recorder.events_of(first) == recorder.events_of(second) == recorder.events_of(third) == [("breach",)]
    assert (_skipped(first), _skipped(second), _skipped(third)) == ([[0.8]], [[0.8]], [[0.5, 0.8]])
    # Deadlines are taken in the order of their next action.
    assert [call[0] for call in recorder.calls] == [third.pk, first.pk, second.pk]
    for deadline in (first, second, third):
        deadline.refresh_from_db()
        assert (deadline.state, deadline.reminders_sent) == (DeadlineState.BREACHED, 2)

    # A sweep that finds two reminders due, the breach not yet: the later reminder only.
    fourth = start(start=paris(2026, 3, 16, 9))
    result = deadlines_sweep(now=paris(2026, 3, 16, 17, 30))  # 50 % at 14:00 and 80 % at 17:00 have passed
    assert (result.reminders, result.breaches, result.skipped) == (1, 0, 1)
    assert recorder.events_of(fourth) == [("reminder", 0.8)]
    fourth.refresh_from_db()
    assert (fourth.state, fourth.reminders_sent, fourth.next_fire_at) == (DeadlineState.OPEN, 2, fourth.due_at)


def test_a_kind_may_ask_for_every_overtaken_reminder_in_order(start, every_event_recorder):
    recorder = every_event_recorder
    first = start(kind=recorder.kind)
    deadlines_sweep(now=paris(2026, 3, 2, 14))
    recorder.calls.clear()
    third = start(kind=recorder.kind, start=paris(2026, 3, 2, 10))
    deadlines_sweep(now=paris(2026, 3, 16, 9))

    assert recorder.events_of(first) == [("reminder", 0.8), ("breach",)]
    assert recorder.events_of(third) == [("reminder", 0.5), ("reminder", 0.8), ("breach",)]
    assert [call[0] for call in recorder.calls] == [third.pk] * 3 + [first.pk] * 2
    assert _skipped(first) == _skipped(third) == []


def test_a_failing_handler_is_recorded_and_does_not_block_the_others(start, recorder):
    failing = start()
    fine = start()
    recorder.fail_on.add(failing.pk)

    result = deadlines_sweep(now=paris(2026, 3, 9, 9), batch_size=1, max_batches=10)

    assert result.failures == 1
    assert recorder.events_of(failing) == [("breach",)]  # tried once in this sweep
    assert recorder.events_of(fine) == [("breach",)]
    failing.refresh_from_db()
    assert failing.state == DeadlineState.OPEN
    assert failing.reminders_sent == 0  # the skipped reminders rolled back with the failed breach
    assert failing.attempts == 1
    assert "handler refused deadline" in failing.last_error
    assert not AuditEvent.objects.filter(
        action__in=["sla.reminder", "sla.reminders_skipped", "sla.breached"], object_id=str(failing.pk)
    ).exists()

    recorder.fail_on.clear()
    deadlines_sweep(now=paris(2026, 3, 9, 9))
    failing.refresh_from_db()
    assert failing.state == DeadlineState.BREACHED
    assert (failing.attempts, failing.last_error) == (0, "")
    assert recorder.events_of(failing) == [("breach",), ("breach",)]
    assert _skipped(failing) == [[0.5, 0.8]]


def test_handler_writes_roll_back_with_a_failure(start, paris_calendar):
    def write_then_fail(deadline):
        audit_record(actor=None, action="sla.half_done", obj=deadline)
        raise RuntimeError("broken")

    register_handler("sla.half", on_breach=write_then_fail)
    try:
        deadline = start(kind="sla.half", reminders=())
        deadlines_sweep(now=paris(2026, 3, 9, 9))
    finally:
        unregister_handler("sla.half")
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.OPEN
    assert deadline.attempts == 1
    assert not AuditEvent.objects.filter(action__in=["sla.half_done", "sla.breached"]).exists()


def test_a_kind_without_handler_is_not_breached_silently(start):
    deadline = start(kind="nobody.handles.this", reminders=())
    result = deadlines_sweep(now=paris(2026, 3, 9, 9))
    deadline.refresh_from_db()
    assert (result.breaches, result.failures) == (0, 1)
    assert deadline.state == DeadlineState.OPEN
    assert "nobody.handles.this" in deadline.last_error


def test_a_handler_may_close_the_deadline_it_is_called_for(start):
    def approve_on_reminder(deadline, fraction):
        deadline_met(actor=None, deadline=deadline)

    register_handler("sla.auto", on_reminder=approve_on_reminder)
    try:
        deadline = start(kind="sla.auto")
        result = deadlines_sweep(now=paris(2026, 3, 2, 14))  # the 50 % reminder
    finally:
        unregister_handler("sla.auto")
    deadline.refresh_from_db()
    assert (result.reminders, result.breaches) == (1, 0)
    assert deadline.state == DeadlineState.MET


def test_sweeps_in_bounded_batches(start, recorder):
    for _ in range(7):
        start(reminders=())
    result = deadlines_sweep(now=paris(2026, 3, 9, 9), batch_size=3, max_batches=2)
    assert (result.batches, result.breaches) == (2, 6)
    assert Deadline.objects.filter(state=DeadlineState.OPEN).count() == 1
    assert deadlines_sweep(now=paris(2026, 3, 9, 9), batch_size=3).breaches == 1


def test_the_celery_task_sweeps(start, recorder):
    from prm.sla.tasks import sweep_deadlines

    deadline = start(start=paris(2026, 1, 5, 9), reminders=())
    assert sweep_deadlines.apply(kwargs={"batch_size": 10}).get() == 1
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.BREACHED


def test_two_concurrent_sweepers_handle_each_deadline_once(transactional_db, paris_calendar):
    deadlines = [
        deadline_start(
            actor=None,
            obj=factories.PartnerFactory(),
            kind=handlers.KIND,
            calendar=paris_calendar,
            duration_seconds=HOUR,
            reminders=(0.5,),
            start=paris(2026, 3, 2, 9),
        )
        for _ in range(24)
    ]
    barrier = threading.Barrier(2)
    results, errors = [], []

    def sweeper():
        try:
            barrier.wait()
            results.append(deadlines_sweep(now=paris(2026, 3, 9, 9), batch_size=4))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(result.handled for result in results) == 48
    expected = {(d.pk, event) for d in deadlines for event in ("reminder:0.5", "breach")}
    counts = handled_counts()
    assert set(counts) == expected
    assert set(counts.values()) == {1}
    assert Deadline.objects.filter(state=DeadlineState.BREACHED).count() == 24
