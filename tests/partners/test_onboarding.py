"""The onboarding checklist: automatic steps, manual ticks, content reads and the stall alert."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from partners.models import (
    AgreementAcceptance,
    Invitation,
    OnboardingProgress,
    Partner,
    PartnerAddress,
    PartnerRole,
    StepKind,
)
from partners.onboarding import (
    STALL_KIND,
    colleagues_invited,
    onboarding_content_read,
    onboarding_evaluate,
    onboarding_start,
    onboarding_state,
    onboarding_step_tick,
    with_onboarding_counts,
)
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from prm.sla.calendar import add_business_time
from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadlines_sweep
from tests.factories import (
    AgreementVersionFactory,
    OnboardingStepFactory,
    PartnerFactory,
    partner_user,
    staff_user,
)

DAY = 9 * 3600  # the factory calendar works 09:00-18:00


@pytest.fixture
def steps(world):
    """The five kinds of step, in order, for the program of the world's partners."""
    program = world["partner_a"].program
    return {
        kind: OnboardingStepFactory(program=program, order=order, kind=kind, body_en="Read me." if order == 4 else "")
        for order, kind in enumerate(
            [StepKind.PROFILE, StepKind.AGREEMENT, StepKind.INVITE, StepKind.CONTENT, StepKind.MANUAL], start=1
        )
    }


@pytest.fixture
def newcomer(world):
    """A partner just approved: one admin, a CAM, nothing else."""
    partner = PartnerFactory(program=world["partner_a"].program, name="Newcomer")
    admin = partner_user(partner, PartnerRole.ADMIN)
    cam = staff_user(StaffRole.CAM, partners=[partner])
    return {"partner": partner, "admin": admin, "cam": cam}


def done_kinds(partner) -> set[str]:
    return set(OnboardingProgress.objects.filter(partner=partner).values_list("step__kind", flat=True))


def complete_profile(partner):
    Partner.objects.filter(pk=partner.pk).update(
        website="https://newcomer.example", company_size="10-49", regions=["latam"], industries=["retail"]
    )
    PartnerAddress.objects.create(partner=partner, line1="Rua A, 1", city="São Paulo", country="BR")


def invite(partner, inviter, *, revoked=False):
    user = partner_user(partner, PartnerRole.SALES)
    return Invitation.objects.create(
        partner=partner,
        user=user,
        role=PartnerRole.SALES,
        token_hash=hashlib.sha256(str(user.pk).encode()).hexdigest(),
        invited_by=inviter,
        expires_at=timezone.now() + datetime.timedelta(days=7),
        revoked_at=timezone.now() if revoked else None,
    )


def stall_clocks(partner):
    return Deadline.objects.for_object(partner, STALL_KIND).order_by("pk")


# --- Automatic steps -------------------------------------------------------------------------


def test_nothing_is_completed_while_no_condition_holds(steps, newcomer):
    AgreementVersionFactory(program=newcomer["partner"].program)
    assert onboarding_evaluate(partner=newcomer["partner"]) == []
    assert not OnboardingProgress.objects.filter(partner=newcomer["partner"]).exists()


def test_the_profile_step_needs_website_size_region_industry_and_an_address(steps, newcomer):
    partner = newcomer["partner"]
    AgreementVersionFactory(program=partner.program)
    Partner.objects.filter(pk=partner.pk).update(
        website="https://newcomer.example", company_size="10-49", regions=["latam"], industries=["retail"]
    )
    assert onboarding_evaluate(partner=partner) == []
    address = PartnerAddress.objects.create(partner=partner, line1="Rua A, 1", city="São Paulo", country="BR")
    Partner.objects.filter(pk=partner.pk).update(industries=[])
    assert onboarding_evaluate(partner=partner) == []
    Partner.objects.filter(pk=partner.pk).update(industries=["retail"])
    assert onboarding_evaluate(partner=partner, actor=newcomer["admin"]) == [steps[StepKind.PROFILE]]
    progress = OnboardingProgress.objects.get(partner=partner)
    assert progress.completed_by == newcomer["admin"]
    # A completed step stays completed.
    address.delete()
    assert onboarding_evaluate(partner=partner) == []
    assert done_kinds(partner) == {StepKind.PROFILE}


def test_the_agreement_step_needs_the_current_version_or_none_published(steps, newcomer):
    partner = newcomer["partner"]
    version = AgreementVersionFactory(program=partner.program)
    assert onboarding_evaluate(partner=partner) == []
    AgreementAcceptance.objects.create(partner=partner, version=version, user=newcomer["admin"])
    assert onboarding_evaluate(partner=partner) == [steps[StepKind.AGREEMENT]]


def test_without_a_published_agreement_the_agreement_step_is_done(steps, newcomer):
    assert onboarding_evaluate(partner=newcomer["partner"]) == [steps[StepKind.AGREEMENT]]


def test_the_invite_step_counts_invitations_sent_besides_the_first_admin(steps, newcomer):
    partner, admin = newcomer["partner"], newcomer["admin"]
    AgreementVersionFactory(program=partner.program)
    steps[StepKind.INVITE].colleagues_required = 2
    steps[StepKind.INVITE].save()
    invite(partner, admin)
    invite(partner, admin, revoked=True)
    assert colleagues_invited(partner) == 1
    assert onboarding_evaluate(partner=partner) == []
    invite(partner, admin)  # not accepted yet: a sent invitation counts
    assert colleagues_invited(partner) == 2
    assert onboarding_evaluate(partner=partner) == [steps[StepKind.INVITE]]


def test_members_added_without_an_invitation_count_as_colleagues(steps, newcomer):
    partner = newcomer["partner"]
    AgreementVersionFactory(program=partner.program)
    assert colleagues_invited(partner) == 0
    partner_user(partner, PartnerRole.MARKETING)
    assert colleagues_invited(partner) == 1
    assert onboarding_evaluate(partner=partner) == [steps[StepKind.INVITE]]


def test_the_invitation_service_completes_the_invite_step(steps, newcomer):
    from partners.invitations import invitation_create

    partner = newcomer["partner"]
    AgreementVersionFactory(program=partner.program)
    invitation_create(actor=newcomer["admin"], partner=partner, email="colleague@newcomer.example", role="sales")
    assert done_kinds(partner) == {StepKind.INVITE}


def test_evaluation_is_idempotent_and_audited_once(steps, newcomer):
    partner = newcomer["partner"]
    first = onboarding_evaluate(partner=partner)
    assert first == [steps[StepKind.AGREEMENT]]
    assert onboarding_evaluate(partner=partner) == []
    assert AuditEvent.objects.filter(action="onboarding.step_completed", partner_id=partner.pk).count() == 1


def test_an_inactive_partner_is_not_evaluated(steps, newcomer):
    partner = newcomer["partner"]
    Partner.objects.filter(pk=partner.pk).update(is_active=False)
    assert onboarding_evaluate(partner=partner) == []
    with pytest.raises(ServiceError):
        onboarding_start(partner=partner)


def test_steps_complete_independently_of_their_order(steps, newcomer):
    partner = newcomer["partner"]
    AgreementVersionFactory(program=partner.program)
    onboarding_content_read(actor=newcomer["admin"], partner=partner, step=steps[StepKind.CONTENT])
    assert done_kinds(partner) == {StepKind.CONTENT}
    state = onboarding_state(partner)
    assert (state.done, state.total, state.complete) == (1, 5, False)
    assert state.next_step == steps[StepKind.PROFILE]


# --- Content and manual steps ----------------------------------------------------------------


def test_reading_content_completes_it_once(steps, world):
    step = steps[StepKind.CONTENT]
    partner = world["partner_a"]
    assert onboarding_content_read(actor=world["partner_a_sales"], partner=partner, step=step) == [step]
    assert onboarding_content_read(actor=world["partner_a_admin"], partner=partner, step=step) == []
    assert OnboardingProgress.objects.get(partner=partner, step=step).completed_by == world["partner_a_sales"]


@pytest.mark.parametrize("role", ["partner_b_user", "cam_a", "channel_manager"])
def test_only_a_user_of_the_partner_reads_its_content(steps, world, role):
    with pytest.raises(ServiceError):
        onboarding_content_read(actor=world[role], partner=world["partner_a"], step=steps[StepKind.CONTENT])
    assert not OnboardingProgress.objects.exists()


@pytest.mark.parametrize("kind", [StepKind.PROFILE, StepKind.MANUAL])
def test_reading_a_step_that_is_not_content_is_refused(steps, world, kind):
    with pytest.raises(ServiceError):
        onboarding_content_read(actor=world["partner_a_admin"], partner=world["partner_a"], step=steps[kind])


@pytest.mark.parametrize("role", ["cam_a", "channel_manager"])
def test_the_cam_or_a_channel_manager_ticks_a_manual_step(steps, world, role):
    step = steps[StepKind.MANUAL]
    assert onboarding_step_tick(actor=world[role], partner=world["partner_a"], step=step) == [step]
    assert onboarding_step_tick(actor=world[role], partner=world["partner_a"], step=step) == []
    progress = OnboardingProgress.objects.get(step=step)
    assert (progress.partner, progress.completed_by) == (world["partner_a"], world[role])


@pytest.mark.parametrize("role", ["cam_other", "executive", "partner_a_admin", "partner_a_sales"])
def test_nobody_else_ticks_a_manual_step(steps, world, role):
    with pytest.raises(ServiceError, match="channel account manager or a channel manager"):
        onboarding_step_tick(actor=world[role], partner=world["partner_a"], step=steps[StepKind.MANUAL])
    assert not OnboardingProgress.objects.exists()


@pytest.mark.parametrize("kind", [StepKind.PROFILE, StepKind.AGREEMENT, StepKind.INVITE, StepKind.CONTENT])
def test_automatic_steps_cannot_be_ticked(steps, world, kind):
    with pytest.raises(ServiceError, match="completes itself"):
        onboarding_step_tick(actor=world["cam_a"], partner=world["partner_a"], step=steps[kind])
    assert not OnboardingProgress.objects.exists()


def test_a_step_of_another_program_or_inactive_is_refused(steps, world):
    from tests.factories import ProgramFactory

    other = OnboardingStepFactory(program=ProgramFactory(slug="other-program"), kind=StepKind.MANUAL)
    with pytest.raises(ServiceError, match="not part of"):
        onboarding_step_tick(actor=world["cam_a"], partner=world["partner_a"], step=other)
    step = steps[StepKind.MANUAL]
    step.is_active = False
    step.save()
    with pytest.raises(ServiceError, match="not part of"):
        onboarding_step_tick(actor=world["cam_a"], partner=world["partner_a"], step=step)


# --- State -----------------------------------------------------------------------------------


def test_the_state_lists_steps_in_order_with_the_next_one_and_completion(steps, world):
    partner = world["partner_a"]
    state = onboarding_state(partner)
    assert [s.step.kind for s in state.steps] == list(steps)
    assert (state.done, state.total, state.complete, state.completed_at) == (0, 5, False, None)
    for step in steps.values():
        OnboardingProgress.objects.create(partner=partner, step=step)
    state = onboarding_state(partner)
    assert state.complete and state.next_step is None
    assert state.completed_at == max(p.completed_at for p in OnboardingProgress.objects.filter(partner=partner))


def test_inactive_steps_do_not_count(steps, world):
    partner = world["partner_a"]
    OnboardingProgress.objects.create(partner=partner, step=steps[StepKind.PROFILE])
    steps[StepKind.PROFILE].is_active = False
    steps[StepKind.PROFILE].save()
    state = onboarding_state(partner)
    assert (state.done, state.total) == (0, 4)
    annotated = with_onboarding_counts(Partner.objects.filter(pk=partner.pk)).get()
    assert (annotated.onboarding_done, annotated.onboarding_total) == (0, 4)


def test_the_counts_annotation_matches_the_state_of_each_partner(steps, world):
    OnboardingProgress.objects.create(partner=world["partner_a"], step=steps[StepKind.PROFILE])
    OnboardingProgress.objects.create(partner=world["partner_a"], step=steps[StepKind.MANUAL])
    counts = {
        p.name: (p.onboarding_done, p.onboarding_total)
        for p in with_onboarding_counts(Partner.objects.filter(pk__in=[world["partner_a"].pk, world["partner_b"].pk]))
    }
    assert counts == {"Partner A": (2, 5), "Partner B": (0, 5)}


# --- The stall clock -------------------------------------------------------------------------


def test_start_runs_a_clock_of_the_programs_stall_days_in_business_time(steps, newcomer):
    partner = newcomer["partner"]
    partner.program.onboarding_stall_days = 3
    partner.program.save()
    AgreementVersionFactory(program=partner.program)
    onboarding_start(partner=partner, actor=newcomer["cam"])
    clock = stall_clocks(partner).get()
    assert clock.state == DeadlineState.OPEN
    assert clock.partner_id == partner.pk
    assert clock.duration_seconds == 3 * DAY
    assert clock.due_at == add_business_time(partner.program.calendar, clock.started_at, 3 * DAY)
    assert AuditEvent.objects.filter(action="onboarding.started", partner_id=partner.pk).exists()
    # Starting again keeps the running clock.
    onboarding_start(partner=partner)
    assert stall_clocks(partner).count() == 1


def test_progress_replaces_the_clock_and_completion_meets_it(steps, newcomer):
    partner, cam = newcomer["partner"], newcomer["cam"]
    version = AgreementVersionFactory(program=partner.program)
    onboarding_start(partner=partner)
    first = stall_clocks(partner).get()

    assert onboarding_evaluate(partner=partner) == []
    assert stall_clocks(partner).count() == 1

    complete_profile(partner)
    onboarding_evaluate(partner=partner)
    first.refresh_from_db()
    assert first.state == DeadlineState.CANCELLED
    second = stall_clocks(partner).get(state=DeadlineState.OPEN)

    AgreementAcceptance.objects.create(partner=partner, version=version, user=newcomer["admin"])
    invite(partner, newcomer["admin"])
    onboarding_evaluate(partner=partner)
    onboarding_content_read(actor=newcomer["admin"], partner=partner, step=steps[StepKind.CONTENT])
    second.refresh_from_db()
    assert second.state == DeadlineState.CANCELLED
    onboarding_step_tick(actor=cam, partner=partner, step=steps[StepKind.MANUAL])

    assert onboarding_state(partner).complete
    last = stall_clocks(partner).last()
    assert last.state == DeadlineState.MET
    assert not stall_clocks(partner).filter(state__in=[DeadlineState.OPEN, DeadlineState.PAUSED]).exists()
    assert AuditEvent.objects.filter(action="onboarding.completed", partner_id=partner.pk).count() == 1


def test_a_partner_complete_from_the_start_gets_no_clock(world):
    program = world["partner_a"].program
    OnboardingStepFactory(program=program, kind=StepKind.AGREEMENT)
    assert onboarding_start(partner=world["partner_a"]) != []
    assert not stall_clocks(world["partner_a"]).exists()


def test_progress_without_a_started_onboarding_runs_no_clock(steps, world):
    onboarding_content_read(actor=world["partner_a_admin"], partner=world["partner_a"], step=steps[StepKind.CONTENT])
    assert not stall_clocks(world["partner_a"]).exists()


def stalled_notifications():
    return sorted(
        Notification.objects.filter(kind__startswith="onboarding.stalled").values_list("kind", "recipient_id")
    )


def test_a_stall_reminds_the_partner_admin_and_alerts_the_cam_once(steps, newcomer, world):
    partner, admin, cam = newcomer["partner"], newcomer["admin"], newcomer["cam"]
    partner_user(partner, PartnerRole.SALES)
    AgreementVersionFactory(program=partner.program)
    onboarding_start(partner=partner)
    clock = stall_clocks(partner).get()
    start = clock.started_at
    due = add_business_time(partner.program.calendar, start, partner.program.onboarding_stall_days * DAY)
    epsilon = datetime.timedelta(seconds=1)

    deadlines_sweep(now=due - epsilon)
    assert stalled_notifications() == []

    deadlines_sweep(now=due + epsilon)
    assert stalled_notifications() == [("onboarding.stalled", admin.pk), ("onboarding.stalled_cam", cam.pk)]
    reminder = Notification.objects.get(kind="onboarding.stalled")
    assert reminder.params["partner"] == "Newcomer"
    assert "1 of 5" in reminder.body()  # the invite step: the sales user counts as a colleague
    alert = Notification.objects.get(kind="onboarding.stalled_cam")
    assert alert.url == f"/staff/partners/{partner.pk}/"
    clock.refresh_from_db()
    assert clock.state == DeadlineState.BREACHED

    deadlines_sweep(now=due + datetime.timedelta(days=30))
    assert len(stalled_notifications()) == 2


def test_progress_before_the_due_time_postpones_the_alert(steps, newcomer):
    partner = newcomer["partner"]
    AgreementVersionFactory(program=partner.program)
    onboarding_start(partner=partner)
    calendar = partner.program.calendar
    days = partner.program.onboarding_stall_days
    # The clock started nine days earlier.
    clock = stall_clocks(partner).get()
    earlier = clock.started_at - datetime.timedelta(days=9)
    old_due = add_business_time(calendar, earlier, days * DAY)
    Deadline.objects.filter(pk=clock.pk).update(
        started_at=earlier, resumed_at=earlier, due_at=old_due, next_fire_at=old_due
    )

    complete_profile(partner)
    onboarding_evaluate(partner=partner)
    fresh = stall_clocks(partner).get(state=DeadlineState.OPEN)
    assert fresh.due_at > old_due

    deadlines_sweep(now=old_due + datetime.timedelta(seconds=1))
    assert stalled_notifications() == []
    deadlines_sweep(now=fresh.due_at + datetime.timedelta(seconds=1))
    assert len(stalled_notifications()) == 2


def test_after_a_breach_the_next_progress_starts_a_new_clock(steps, newcomer):
    partner = newcomer["partner"]
    AgreementVersionFactory(program=partner.program)
    onboarding_start(partner=partner)
    clock = stall_clocks(partner).get()
    deadlines_sweep(now=clock.due_at + datetime.timedelta(seconds=1))
    clock.refresh_from_db()
    assert clock.state == DeadlineState.BREACHED

    complete_profile(partner)
    onboarding_evaluate(partner=partner)
    fresh = stall_clocks(partner).get(state=DeadlineState.OPEN)
    deadlines_sweep(now=fresh.due_at + datetime.timedelta(seconds=1))
    assert len(stalled_notifications()) == 4  # one reminder and one alert per breach


def test_a_stall_of_a_partner_that_completed_meanwhile_notifies_nobody(steps, newcomer):
    partner = newcomer["partner"]
    onboarding_start(partner=partner)
    clock = stall_clocks(partner).get()
    for step in steps.values():
        OnboardingProgress.objects.get_or_create(partner=partner, step=step)
    deadlines_sweep(now=clock.due_at + datetime.timedelta(seconds=1))
    assert stalled_notifications() == []
