"""The database connection drops in the middle of a sweep: logged as what it is, nothing marked failed,
lost or doubled; the next sweep does the work."""

import logging
import time

import pytest
from django.db import OperationalError, connection, connections

from prm.audit.models import AuditEvent
from prm.audit.services import audit_record
from prm.sla.models import Deadline, DeadlineState
from prm.sla.registry import register_handler, unregister_handler
from prm.sla.services import deadline_start, deadlines_sweep
from tests import factories
from tests.prm.sla.conftest import paris

KIND = "sla.connection_test"
HANDLED = "sla.connection_test_handled"
NOW = paris(2026, 3, 9, 9)


def terminate_own_backend() -> None:
    """End this connection's server process from another connection, as an operator or a failover would."""
    pid = connection.connection.get_backend_pid()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(200):
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone()[0] == 0:
                    return
                time.sleep(0.01)
    finally:
        other.close()
    raise AssertionError("the backend did not end")


class Handler:
    """Records each handling in the sweep's transaction; ``before[n]`` runs before the n-th call."""

    def __init__(self):
        self.calls = 0
        self.before = {}

    def __call__(self, deadline):
        self.calls += 1
        if self.calls in self.before:
            self.before[self.calls]()
        audit_record(actor=None, action=HANDLED, obj=deadline, data={"deadline": deadline.pk})


@pytest.fixture
def handler():
    handler = Handler()
    register_handler(KIND, on_breach=handler)
    yield handler
    unregister_handler(KIND)


@pytest.fixture
def due(paris_calendar):
    def due(count):
        return [
            deadline_start(
                actor=None,
                obj=factories.PartnerFactory(),
                kind=KIND,
                calendar=paris_calendar,
                duration_seconds=3600,
                reminders=(),
                start=paris(2026, 3, 2, 9),
            )
            for _ in range(count)
        ]

    return due


def handled_per_deadline() -> dict[int, int]:
    counts: dict[int, int] = {}
    for data in AuditEvent.objects.filter(action=HANDLED).values_list("data", flat=True):
        counts[data["deadline"]] = counts.get(data["deadline"], 0) + 1
    return counts


def test_a_lost_connection_is_logged_as_such_and_the_next_sweep_does_the_work(transactional_db, due, handler, caplog):
    deadlines = due(3)
    second = deadlines[1]
    handler.before[2] = terminate_own_backend

    with caplog.at_level(logging.WARNING, logger="prm.sla.services"):
        result = deadlines_sweep(now=NOW, batch_size=10)

    assert result.connection_lost
    assert result.handled == 0  # the batch rolled back with the connection
    messages = [record.getMessage() for record in caplog.records]
    assert any(
        f"Database connection lost during the sweep of deadline {second.pk} ({KIND})" in message
        and "retried at the next sweep" in message
        for message in messages
    ), messages
    assert not any("handler failed" in message for message in messages), messages
    assert connection.connection is None  # the broken connection was closed; the next query opens a new one

    assert set(Deadline.objects.values_list("state", "attempts", "last_error")) == {(DeadlineState.OPEN, 0, "")}
    assert handled_per_deadline() == {}
    assert not AuditEvent.objects.filter(action="sla.breached").exists()

    result = deadlines_sweep(now=NOW, batch_size=10)
    assert (result.breaches, result.failures, result.connection_lost) == (3, 0, False)
    assert handled_per_deadline() == {deadline.pk: 1 for deadline in deadlines}
    assert Deadline.objects.filter(state=DeadlineState.BREACHED).count() == 3


def test_a_lost_connection_ends_the_sweep_before_the_next_batch(transactional_db, due, handler):
    due(4)
    handler.before[2] = terminate_own_backend
    result = deadlines_sweep(now=NOW, batch_size=1, max_batches=10)
    # The first batch committed; the second lost its connection; no third batch was started.
    assert (result.breaches, result.batches, result.connection_lost) == (1, 1, True)
    assert Deadline.objects.filter(state=DeadlineState.BREACHED).count() == 1
    assert Deadline.objects.filter(state=DeadlineState.OPEN, attempts=0).count() == 3


def test_a_database_error_on_a_live_connection_is_still_a_handler_failure(db, due, handler, caplog):
    """A lock held by a user's request (select_for_update(nowait=True)) raises OperationalError too."""
    (deadline,) = due(1)

    def locked():
        raise OperationalError('could not obtain lock on row in relation "deals_deal"')

    handler.before[1] = locked
    with caplog.at_level(logging.WARNING, logger="prm.sla.services"):
        result = deadlines_sweep(now=NOW)

    assert (result.failures, result.connection_lost) == (1, False)
    assert f"Deadline {deadline.pk} ({KIND}): handler failed." in caplog.text
    assert "connection lost" not in caplog.text
    deadline.refresh_from_db()
    assert (deadline.state, deadline.attempts) == (DeadlineState.OPEN, 1)
    assert "could not obtain lock" in deadline.last_error
