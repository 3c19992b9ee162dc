"""The Celery task of the SLA sweep: after a full batch a sweep queues one more sweeper, so a backlog is
shared and worked off at once instead of a bounded sweep per minute (docs/adr/0009-task-queues.md)."""

import logging

import pytest
from kombu.exceptions import OperationalError as BrokerError

from prm.sla import tasks
from prm.sla.models import Deadline, DeadlineState
from prm.sla.registry import register_handler, unregister_handler
from prm.sla.services import deadline_start
from tests import factories
from tests.prm.sla.conftest import paris
from tests.prm.sla.test_connection_lost import KIND, Handler, terminate_own_backend

NOW = paris(2026, 3, 9, 9)


@pytest.fixture
def due(paris_calendar, recorder):
    def due(count):
        for _ in range(count):
            deadline_start(
                actor=None,
                obj=factories.PartnerFactory(),
                kind=recorder.kind,
                calendar=paris_calendar,
                duration_seconds=3600,
                reminders=(),
                start=paris(2026, 3, 2, 9),
            )

    return due


@pytest.fixture
def queued(monkeypatch):
    """The sweeps the task queues, instead of publishing them."""
    calls = []
    monkeypatch.setattr(tasks.sweep_deadlines, "apply_async", lambda **options: calls.append(options))
    return calls


@pytest.fixture
def at_now(monkeypatch):
    """The sweep as if run at NOW (the deadlines are due then)."""
    sweep = tasks.services.deadlines_sweep
    monkeypatch.setattr(tasks.services, "deadlines_sweep", lambda **kwargs: sweep(now=NOW, **kwargs))


def test_after_its_first_full_batch_a_sweep_queues_one_more_sweeper(due, queued, at_now):
    due(7)
    assert tasks.sweep_deadlines(batch_size=2, max_batches=3) == 6
    assert queued == [{"kwargs": {"batch_size": 2, "max_batches": 3}, "retry": False}]
    assert Deadline.objects.filter(state=DeadlineState.OPEN).count() == 1


def test_a_sweep_without_a_full_batch_queues_nothing(due, queued, at_now):
    due(3)
    assert tasks.sweep_deadlines(batch_size=4, max_batches=3) == 3
    assert queued == []


def test_run_eagerly_a_sweep_sweeps_alone(due, queued, at_now):
    due(5)
    assert tasks.sweep_deadlines.apply(kwargs={"batch_size": 2, "max_batches": 2}).get() == 4
    assert queued == []


def test_a_sweep_that_lost_its_database_connection_queues_nothing(transactional_db, paris_calendar, queued, at_now):
    handler = Handler()
    handler.before[1] = terminate_own_backend  # in the first batch, which is full
    register_handler(KIND, on_breach=handler)
    try:
        for _ in range(3):
            deadline_start(
                actor=None,
                obj=factories.PartnerFactory(),
                kind=KIND,
                calendar=paris_calendar,
                duration_seconds=3600,
                reminders=(),
                start=paris(2026, 3, 2, 9),
            )
        assert tasks.sweep_deadlines(batch_size=1, max_batches=2) == 0
    finally:
        unregister_handler(KIND)
    assert queued == []
    assert Deadline.objects.filter(state=DeadlineState.OPEN).count() == 3


def test_the_next_sweep_is_left_to_beat_when_the_broker_is_down(due, at_now, monkeypatch, caplog):
    def refuse(**options):
        raise BrokerError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(tasks.sweep_deadlines, "apply_async", refuse)
    due(3)
    with caplog.at_level(logging.WARNING, logger="prm.sla.tasks"):
        assert tasks.sweep_deadlines(batch_size=1, max_batches=2) == 2
    assert "the rest is left to the next scheduled sweep" in caplog.text
