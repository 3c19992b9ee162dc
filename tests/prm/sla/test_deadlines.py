import pytest

from prm.audit.models import AuditEvent
from prm.sla.models import Deadline, DeadlineState, IllegalTransition
from prm.sla.services import (
    deadline_cancel,
    deadline_met,
    deadline_pause,
    deadline_resume,
    deadline_start,
    deadlines_sweep,
)
from tests import factories
from tests.prm.sla.conftest import paris

HOUR = 3600
TWO_DAYS = 18 * HOUR  # two Paris working days of nine hours


@pytest.fixture
def partner(db):
    return factories.PartnerFactory()


@pytest.fixture
def start(partner, paris_calendar, recorder):
    def start(**kwargs):
        options = {
            "actor": None,
            "obj": partner,
            "kind": recorder.kind,
            "calendar": paris_calendar,
            "duration_seconds": TWO_DAYS,
            "start": paris(2026, 3, 2, 9),  # Monday
        }
        options.update(kwargs)
        return deadline_start(**options)

    return start


def test_start_computes_due_time_and_first_reminder(start, partner):
    deadline = start()
    assert deadline.state == DeadlineState.OPEN
    assert deadline.due_at == paris(2026, 3, 3, 18)
    assert deadline.next_fire_at == paris(2026, 3, 2, 18)  # 50 %: nine business hours
    assert deadline.reminder_fractions == [0.5, 0.8]
    assert deadline.partner_id == partner.pk
    assert deadline.target == partner
    event = AuditEvent.objects.get(action="sla.started", object_id=str(deadline.pk))
    assert event.to_state == "open"
    assert event.partner_id == partner.pk


def test_start_outside_working_hours_starts_the_clock_at_opening(start):
    deadline = start(start=paris(2026, 3, 6, 19), duration_seconds=HOUR, reminders=())  # Friday evening
    assert deadline.due_at == paris(2026, 3, 9, 10)
    assert deadline.next_fire_at == deadline.due_at


def test_starting_the_same_clock_twice_gives_one_deadline(start):
    first = start()
    again = start(duration_seconds=HOUR)
    assert again.pk == first.pk
    assert Deadline.objects.count() == 1
    assert AuditEvent.objects.filter(action="sla.started").count() == 1


def test_a_new_clock_may_start_once_the_old_one_is_closed(start):
    first = start()
    deadline_met(actor=None, deadline=first, at=paris(2026, 3, 2, 12))
    second = start(start=paris(2026, 3, 4, 9))
    assert second.pk != first.pk
    assert second.due_at == paris(2026, 3, 5, 18)


def test_start_rejects_bad_input(start):
    with pytest.raises(ValueError, match="between 0 and 1"):
        start(reminders=(0.5, 1.0))
    with pytest.raises(ValueError, match="positive"):
        start(duration_seconds=0)
    assert Deadline.objects.count() == 0


def test_reminders_are_sorted_and_deduplicated(start):
    assert start(reminders=(0.9, 0.25, 0.9)).reminder_fractions == [0.25, 0.9]


def test_pause_keeps_used_time_and_resume_recomputes_due(start):
    deadline = start()
    deadline = deadline_pause(actor=None, deadline=deadline, at=paris(2026, 3, 2, 15))
    assert deadline.state == DeadlineState.PAUSED
    assert deadline.consumed_seconds == 6 * HOUR
    assert deadline.due_at is None and deadline.next_fire_at is None

    # Resumed on Wednesday 11:00 with 12 business hours left: Wednesday 7 h, Thursday 5 h.
    deadline = deadline_resume(actor=None, deadline=deadline, at=paris(2026, 3, 4, 11))
    assert deadline.state == DeadlineState.OPEN
    assert deadline.due_at == paris(2026, 3, 5, 14)
    # The 50 % reminder falls after 9 business hours, 3 of them after the resume.
    assert deadline.next_fire_at == paris(2026, 3, 4, 14)
    actions = list(
        AuditEvent.objects.filter(object_id=str(deadline.pk)).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["sla.started", "sla.paused", "sla.resumed"]


def test_paused_time_over_a_weekend_does_not_count(start):
    deadline = start(duration_seconds=4 * HOUR, reminders=())
    deadline_pause(actor=None, deadline=deadline, at=paris(2026, 3, 2, 11))
    deadline = deadline_resume(actor=None, deadline=deadline, at=paris(2026, 3, 9, 9))
    assert deadline.due_at == paris(2026, 3, 9, 11)


def test_pause_and_resume_are_idempotent(start):
    deadline = start()
    deadline_pause(actor=None, deadline=deadline, at=paris(2026, 3, 2, 15))
    again = deadline_pause(actor=None, deadline=deadline, at=paris(2026, 3, 3, 15))
    assert again.consumed_seconds == 6 * HOUR
    deadline_resume(actor=None, deadline=deadline, at=paris(2026, 3, 4, 11))
    again = deadline_resume(actor=None, deadline=deadline, at=paris(2026, 3, 4, 17))
    assert again.due_at == paris(2026, 3, 5, 14)
    assert AuditEvent.objects.filter(action__in=["sla.paused", "sla.resumed"]).count() == 2


def test_a_paused_deadline_is_not_swept(start, recorder):
    deadline = start()
    deadline_pause(actor=None, deadline=deadline, at=paris(2026, 3, 2, 10))
    assert deadlines_sweep(now=paris(2026, 4, 1, 9)).handled == 0
    assert recorder.calls == []


def test_resume_after_a_reminder_plans_the_next_one(start, recorder):
    deadline = start()
    deadlines_sweep(now=paris(2026, 3, 2, 18))
    deadline_pause(actor=None, deadline=deadline, at=paris(2026, 3, 3, 10))  # 10 h used
    deadline = deadline_resume(actor=None, deadline=deadline, at=paris(2026, 3, 9, 9))
    assert deadline.reminders_sent == 1
    # 80 % is 14.4 h: 4.4 h after the resume.
    assert deadline.next_fire_at == paris(2026, 3, 9, 13, 24)
    assert deadline.due_at == paris(2026, 3, 9, 17)


def test_met_and_cancel_close_the_clock(start):
    deadline = deadline_met(actor=None, deadline=start(), at=paris(2026, 3, 2, 11))
    assert deadline.state == DeadlineState.MET
    assert deadline.consumed_seconds == 2 * HOUR
    assert deadline.next_fire_at is None
    assert deadline.closed_at == paris(2026, 3, 2, 11)

    other = start(start=paris(2026, 3, 4, 9))
    deadline_pause(actor=None, deadline=other, at=paris(2026, 3, 4, 10))
    other = deadline_cancel(actor=None, deadline=other.pk, reason="withdrawn")
    assert other.state == DeadlineState.CANCELLED
    assert AuditEvent.objects.get(action="sla.cancelled").reason == "withdrawn"


def test_closing_a_closed_deadline_changes_nothing(start):
    deadline = deadline_met(actor=None, deadline=start(), at=paris(2026, 3, 2, 11))
    assert deadline_met(actor=None, deadline=deadline).closed_at == paris(2026, 3, 2, 11)
    assert deadline_cancel(actor=None, deadline=deadline).state == DeadlineState.MET
    assert AuditEvent.objects.filter(action__in=["sla.met", "sla.cancelled"]).count() == 1


def test_met_after_the_breach_keeps_the_breach(start):
    deadline = start(reminders=())
    deadlines_sweep(now=paris(2026, 3, 4, 9))
    assert deadline_met(actor=None, deadline=deadline).state == DeadlineState.BREACHED


@pytest.mark.parametrize(("service", "to_state"), [(deadline_pause, "paused"), (deadline_resume, "open")])
def test_pause_or_resume_of_a_closed_deadline_is_an_illegal_transition(start, service, to_state):
    deadline = deadline_cancel(actor=None, deadline=start())
    with pytest.raises(IllegalTransition, match=f"cannot go from 'cancelled' to '{to_state}'"):
        service(actor=None, deadline=deadline)
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.CANCELLED


def test_deadlines_are_scoped_by_partner(world, paris_calendar, recorder):
    for partner in (world["partner_a"], world["partner_b"]):
        deadline_start(
            actor=None,
            obj=partner,
            kind=recorder.kind,
            calendar=paris_calendar,
            duration_seconds=HOUR,
            start=paris(2026, 3, 2, 9),
        )
    visible = Deadline.objects.visible_to(world["partner_a_admin"])
    assert list(visible.values_list("partner_id", flat=True)) == [world["partner_a"].pk]
    assert Deadline.objects.visible_to(world["cam_a"]).count() == 1
    assert Deadline.objects.visible_to(world["channel_manager"]).count() == 2
