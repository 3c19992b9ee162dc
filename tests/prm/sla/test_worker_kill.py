"""A real Celery worker, killed with SIGKILL in the middle of a sweep, loses and repeats nothing."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from celery import Celery
from django.conf import settings
from django.utils import timezone

from prm.celery import DEFAULT, SWEEPS, TASK_ROUTES
from prm.embedded import EmbeddedRedis
from prm.sla.models import BusinessCalendar, Deadline, DeadlineState
from prm.sla.services import deadline_start
from tests import factories
from tests.prm.sla import handlers
from tests.prm.sla.conftest import handled_counts

BASE_DIR = Path(settings.BASE_DIR)
DEADLINES = 60
EVENTS = 2 * DEADLINES  # one reminder and the breach each
SWEEP = "prm.sla.tasks.sweep_deadlines"
SWEEP_KWARGS = {"batch_size": 5, "max_batches": 100}  # commits every five deadlines


def database_url() -> str:
    """The URL of pytest's test database, for the worker processes (same server, test name)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + quote(settings.DATABASES["default"]["NAME"], safe="")))


def broker_client(name: str, url: str) -> Celery:
    """A Celery app that sends to ``url`` with the project's routes (the sweep to the sweeps queue)."""
    client = Celery(name, broker=url, set_as_current=False)
    client.conf.update(task_default_queue=DEFAULT, task_routes=TASK_ROUTES)
    return client


class Worker:
    """A real worker consuming ``queues`` (prm.celery.QUEUES: sweeps, notifications, bulk, default)."""

    def __init__(self, name: str, env: dict, log: Path, queues: tuple[str, ...] = (SWEEPS,)):
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                *("-m", "celery", "-A", "prm", "worker", "--pool", "solo", "-c", "1", "-Q", ",".join(queues)),
                *("--include", handlers.__name__, "-n", f"{name}@%h", "-l", "info"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.alive():
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(30)
        self.log.close()

    def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def wait_for(condition, *, seconds: float, what: str, workers=()):
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if condition():
            return
        for worker in workers:
            assert worker.alive(), f"worker exited early; see {worker.log.name}"
        time.sleep(0.05)
    raise AssertionError(f"gave up waiting for {what}")


def handled() -> int:
    return sum(handled_counts().values())


@pytest.mark.slow
def test_sigkill_in_the_middle_of_a_sweep_loses_nothing_and_repeats_nothing(transactional_db, tmp_path):
    calendar = BusinessCalendar.objects.create(name="Always", time_zone="UTC", working_days=list(range(7)))
    long_ago = timezone.now() - datetime.timedelta(days=30)
    deadlines = [
        deadline_start(
            actor=None,
            obj=factories.PartnerFactory(),
            kind=handlers.KIND,
            calendar=calendar,
            duration_seconds=3600,
            reminders=(0.5,),
            start=long_ago,
        )
        for _ in range(DEADLINES)
    ]

    redis = EmbeddedRedis(tmp_path / "redis")
    redis_url = redis.start()
    env = {**os.environ, "DATABASE_URL": database_url(), "REDIS_URL": redis_url, "DEBUG": "true"}
    env["DJANGO_SETTINGS_MODULE"] = "prm.settings"
    client = broker_client("sla-test", redis_url)
    workers = []
    try:
        first = Worker("first", env, tmp_path / "first.log")
        workers.append(first)
        client.send_task(SWEEP, kwargs=SWEEP_KWARGS)
        # Not a multiple of a batch's events: a worker that handled outside its batch transaction
        # would be killed between a committed state change and its handler.
        wait_for(lambda: handled() >= 25, seconds=120, what="the first worker to handle some", workers=[first])
        first.kill()
        handled_by_first = handled()
        assert 0 < handled_by_first < EVENTS

        second = Worker("second", env, tmp_path / "second.log")
        workers.append(second)
        last_sent = 0.0

        def all_handled():
            nonlocal last_sent
            # Rows locked by the killed worker's session are skipped until PostgreSQL ends it: sweep again.
            if time.monotonic() - last_sent > 2:
                client.send_task(SWEEP, kwargs=SWEEP_KWARGS)
                last_sent = time.monotonic()
            return not Deadline.objects.filter(state=DeadlineState.OPEN).exists()

        wait_for(all_handled, seconds=180, what="every deadline to be handled", workers=[second])
    finally:
        for worker in workers:
            worker.stop()
        client.close()
        redis.stop()

    counts = handled_counts()
    expected = {(deadline.pk, event) for deadline in deadlines for event in ("reminder:0.5", "breach")}
    assert set(counts) == expected, "a deadline was lost"
    assert set(counts.values()) == {1}, "a deadline was handled twice"
    assert Deadline.objects.filter(state=DeadlineState.BREACHED).count() == DEADLINES
