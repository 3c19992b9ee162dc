import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import pytest

import tests.prm.sla.handlers  # noqa: F401  (registers the "sla.test" handlers)
from prm.audit.models import AuditEvent
from prm.sla.models import BusinessCalendar, Holiday
from prm.sla.registry import register_handler, unregister_handler

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=PARIS)


@pytest.fixture
def paris_calendar(db):
    """Monday to Friday, 09:00-18:00 in Paris; 1 May 2026 (a Friday) is a holiday."""
    calendar = BusinessCalendar.objects.create(name="Paris", time_zone="Europe/Paris")
    Holiday.objects.create(calendar=calendar, date=datetime.date(2026, 5, 1), name="Fête du Travail")
    return calendar


class Recorder:
    """Handlers of one deadline kind that remember their calls, optionally failing."""

    def __init__(self, kind):
        self.kind = kind
        self.calls = []
        self.fail_on = set()

    def on_reminder(self, deadline, fraction):
        self._call(deadline, ("reminder", fraction))

    def on_breach(self, deadline):
        self._call(deadline, ("breach",))

    def _call(self, deadline, event):
        self.calls.append((deadline.pk, *event))
        if deadline.pk in self.fail_on:
            raise RuntimeError(f"handler refused deadline {deadline.pk}")

    def events_of(self, deadline):
        return [call[1:] for call in self.calls if call[0] == deadline.pk]


@pytest.fixture
def recorder():
    """Handlers of kind "sla.recorded" that record their calls (overtaken reminders skipped, the default)."""
    rec = Recorder("sla.recorded")
    register_handler(rec.kind, on_reminder=rec.on_reminder, on_breach=rec.on_breach)
    yield rec
    unregister_handler(rec.kind)


@pytest.fixture
def every_event_recorder():
    """The same for a kind that gets every event, overtaken reminders included."""
    rec = Recorder("sla.recorded_all")
    register_handler(rec.kind, on_reminder=rec.on_reminder, on_breach=rec.on_breach, send_overtaken_reminders=True)
    yield rec
    unregister_handler(rec.kind)


def handled_counts() -> Counter:
    """How many times the "sla.test" handlers handled each (deadline id, event)."""
    return Counter(
        (event.data["deadline"], event.data["event"])
        for event in AuditEvent.objects.filter(action=tests.prm.sla.handlers.ACTION).only("data")
    )
