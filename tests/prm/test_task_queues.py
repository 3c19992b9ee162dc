"""Each Celery task goes to its queue, and every queue has a worker in `make run` and in Docker compose
(docs/adr/0009-task-queues.md): the SLA sweep never waits behind e-mail or bulk work."""

import subprocess

import pytest
import yaml
from django.conf import settings

from prm import embedded
from prm.celery import QUEUES, WORKERS, app

ROUTES = {
    "prm.sla.tasks.sweep_deadlines": "sweeps",
    "prm.notifications.tasks.deliver_notification": "notifications",
    "prm.notifications.tasks.deliver_notifications": "notifications",
    "prm.notifications.tasks.sweep_outbox": "notifications",
    "leads.tasks.lead_import_process": "bulk",
    "leads.tasks.lead_imports_resume": "bulk",
    "leads.tasks.leads_assign_pool": "bulk",
}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.fixture(scope="module", autouse=True)
def _tasks_loaded():
    app.loader.import_default_modules()


@pytest.mark.parametrize(("task_name", "queue"), ROUTES.items())
def test_each_task_goes_to_its_queue(task_name, queue):
    assert task_name in app.tasks
    assert queue_of(task_name) == queue


def test_a_task_without_a_route_goes_to_the_default_queue():
    assert queue_of("prm.some_app.tasks.something_new") == "default"


def test_every_task_of_the_project_goes_to_a_known_queue():
    ours = [name for name in app.tasks if not name.startswith("celery.")]
    assert set(ROUTES) <= set(ours)
    assert {queue_of(name) for name in ours} <= set(QUEUES)


def test_every_beat_entry_goes_to_a_queue_a_worker_consumes():
    consumed = {queue for group in WORKERS for queue in group.queues}
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) in consumed
    assert queue_of(settings.CELERY_BEAT_SCHEDULE["sla-sweep"]["task"]) == "sweeps"


def test_each_queue_has_exactly_one_worker_group():
    consumed = [queue for group in WORKERS for queue in group.queues]
    assert sorted(consumed) == sorted(QUEUES)
    sweeps = next(group for group in WORKERS if "sweeps" in group.queues)
    assert sweeps.queues == ("sweeps",)  # nothing else ever takes the sweeper's place


def test_make_run_starts_one_worker_per_group_and_beat(monkeypatch):
    started = []

    class Recorder:
        def __init__(self, command, **kwargs):
            started.append(command)

    monkeypatch.setattr(subprocess, "Popen", Recorder)
    embedded._start_children("8000")
    workers = [command for command in started if "worker" in command]
    assert [command[command.index("-Q") + 1] for command in workers] == [",".join(g.queues) for g in WORKERS]
    for command, group in zip(workers, WORKERS, strict=True):
        assert command[command.index("--concurrency") + 1] == str(group.concurrency)
    assert sum("beat" in command for command in started) == 1
    assert len(started) == len(WORKERS) + 2  # the web server and beat


def test_docker_compose_runs_the_same_worker_groups():
    compose = yaml.safe_load((settings.BASE_DIR / "docker-compose.yml").read_text())
    commands = [
        service["command"] for service in compose["services"].values() if "worker" in service.get("command", [])
    ]
    assert sorted(command[command.index("-Q") + 1] for command in commands) == sorted(
        ",".join(group.queues) for group in WORKERS
    )
