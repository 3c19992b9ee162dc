"""Deadline handlers of kind "sla.test": each handling appends one audit event and takes a while.

The Celery worker of the integration test loads this module with --include; importing it
registers the handlers.
"""

import time

from prm.audit.services import audit_record
from prm.sla.registry import register_handler

KIND = "sla.test"
ACTION = "sla.test_handled"
DELAY_SECONDS = 0.05


def _record(deadline, event: str) -> None:
    audit_record(actor=None, action=ACTION, obj=deadline, data={"deadline": deadline.pk, "event": event})
    time.sleep(DELAY_SECONDS)


def on_reminder(deadline, fraction):
    _record(deadline, f"reminder:{fraction}")


def on_breach(deadline):
    _record(deadline, "breach")


# Every event, also after downtime: the tests count a reminder and a breach per deadline.
register_handler(KIND, on_reminder=on_reminder, on_breach=on_breach, send_overtaken_reminders=True)
