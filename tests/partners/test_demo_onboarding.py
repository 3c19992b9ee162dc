"""The demo's onboarding goes through the same rules as real data: every ticked step's condition holds
(a complete profile, the current agreement accepted, a colleague invited, the content read by a user of
the partner, the kick-off confirmed by the partner's CAM), and each was recorded by the services."""

import io

import pytest
from django.core.management import call_command

from partners.models import Membership, OnboardingProgress, OnboardingStep, Partner, StepKind
from partners.onboarding import colleagues_invited, onboarding_state, partner_needs_acceptance, profile_complete
from partners.selectors import partner_cams
from prm.audit.models import AuditEvent

SOLARIS, LUMIERE = "Solaris Integração Ltda", "Lumière Solutions SARL"


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=io.StringIO())
    return {partner.name: partner for partner in Partner.objects.all()}


def _condition_holds(progress) -> bool:
    partner, step = progress.partner, progress.step
    if step.kind == StepKind.PROFILE:
        return profile_complete(partner)
    if step.kind == StepKind.AGREEMENT:
        return not partner_needs_acceptance(partner)
    if step.kind == StepKind.INVITE:
        return colleagues_invited(partner) >= step.colleagues_required
    if step.kind == StepKind.CONTENT:  # read by a user of the partner
        return Membership.objects.filter(partner=partner, user=progress.completed_by_id).exists()
    # Confirmed by the partner's CAM, who exists.
    cams = set(partner_cams(partner))
    return bool(cams) and progress.completed_by in cams


def test_every_ticked_step_of_the_demo_holds(seeded):
    progress = list(OnboardingProgress.objects.select_related("partner", "step", "completed_by"))
    assert progress
    wrong = [f"{p.partner.name}: {p.step.kind}" for p in progress if not _condition_holds(p)]
    assert not wrong


def test_every_ticked_step_was_recorded_by_the_services(seeded):
    for progress in OnboardingProgress.objects.select_related("partner", "step"):
        assert AuditEvent.objects.filter(
            action="onboarding.step_completed", partner_id=progress.partner_id, data__step=progress.step_id
        ).exists(), (progress.partner.name, progress.step.kind)


def test_solaris_is_onboarded_with_its_cam_and_lumiere_without_a_cam_waits_for_one(seeded):
    solaris, lumiere = seeded[SOLARIS], seeded[LUMIERE]
    assert onboarding_state(solaris).complete
    assert profile_complete(solaris)
    assert list(partner_cams(lumiere)) == []
    kickoff = OnboardingStep.objects.get(program=lumiere.program, kind=StepKind.MANUAL)
    assert not OnboardingProgress.objects.filter(partner=lumiere, step=kickoff).exists()
    assert not onboarding_state(lumiere).complete


def test_seeding_again_changes_no_onboarding(seeded):
    before = (
        OnboardingProgress.objects.count(),
        AuditEvent.objects.filter(action__startswith="onboarding.").count(),
        AuditEvent.objects.filter(action__startswith="partner.").count(),
    )
    call_command("seed_demo", stdout=io.StringIO())
    after = (
        OnboardingProgress.objects.count(),
        AuditEvent.objects.filter(action__startswith="onboarding.").count(),
        AuditEvent.objects.filter(action__startswith="partner.").count(),
    )
    assert after == before
