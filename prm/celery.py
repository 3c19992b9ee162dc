"""The Celery app, its queues and the workers that consume them (docs/adr/0009-task-queues.md).

Each kind of work has its own queue and its own worker, so that the SLA sweep never waits behind
hundreds of e-mails or a bulk import: ``sweeps`` (the SLA sweep), ``notifications`` (e-mail
deliveries and the outbox sweep), ``bulk`` (lead imports, pool assignment, later rollups) and
``default`` (any task without a route). `make run` (prm/embedded.py) starts ``WORKERS``;
docker-compose.yml runs the same groups as services.
"""

import os
from dataclasses import dataclass

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")

SWEEPS, NOTIFICATIONS, BULK, DEFAULT = "sweeps", "notifications", "bulk", "default"
QUEUES = (SWEEPS, NOTIFICATIONS, BULK, DEFAULT)

TASK_ROUTES = {
    "prm.sla.tasks.*": {"queue": SWEEPS},
    "prm.notifications.tasks.deliver_notification": {"queue": NOTIFICATIONS},
    "prm.notifications.tasks.deliver_notifications": {"queue": NOTIFICATIONS},
    # The outbox sweep sends e-mail: with the deliveries, never in front of the SLA sweep.
    "prm.notifications.tasks.sweep_outbox": {"queue": NOTIFICATIONS},
    "leads.tasks.lead_import_process": {"queue": BULK},
    "leads.tasks.lead_imports_resume": {"queue": BULK},
    "leads.tasks.leads_assign_pool": {"queue": BULK},
    "deals.tasks.refresh_won_revenue": {"queue": BULK},
    "analytics.tasks.rollup_recent": {"queue": BULK},
    "analytics.tasks.activity_check": {"queue": BULK},
    "analytics.tasks.weekly_digests": {"queue": BULK},
}


@dataclass(frozen=True)
class WorkerGroup:
    """One worker process group: the queues it consumes, its pool and concurrency in `make run`."""

    name: str
    queues: tuple[str, ...]
    concurrency: int
    pool: str = "prefork"

    def command(self) -> list[str]:
        """The arguments after ``celery -A prm``."""
        return [
            "worker",
            *("-Q", ",".join(self.queues), "-n", f"{self.name}@%h"),
            *("--pool", self.pool, "--concurrency", str(self.concurrency)),
        ]


# Light enough for a 2-core laptop: a worker of concurrency 1 runs its task in its own process
# (solo pool, no child); e-mail waits on the SMTP server, so two deliveries run at once.
WORKERS = (
    WorkerGroup("sweeps", (SWEEPS,), concurrency=1, pool="solo"),
    WorkerGroup("notifications", (NOTIFICATIONS,), concurrency=2),
    WorkerGroup("bulk", (BULK, DEFAULT), concurrency=1, pool="solo"),
)

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = DEFAULT
app.conf.task_routes = TASK_ROUTES
app.autodiscover_tasks()
