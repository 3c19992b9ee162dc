"""Steps confirmed by the channel account manager (the kick-off call) need one: a partner without an
active CAM cannot have them ticked, not even by a channel manager, and its staff page says why."""

import pytest
from django.urls import reverse

from partners.models import OnboardingProgress, StepKind
from partners.onboarding import onboarding_state, onboarding_step_tick
from partners.roles import StaffRole
from partners.services import partner_assign_cam
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from tests.factories import OnboardingStepFactory, PartnerFactory, partner_user, staff_user


@pytest.fixture
def kickoff(world):
    return OnboardingStepFactory(
        program=world["partner_a"].program, order=1, kind=StepKind.MANUAL, title_en="Kick-off call with your CAM"
    )


@pytest.fixture
def lonely(world):
    """A partner nobody manages: no CAM assigned."""
    partner = PartnerFactory(program=world["partner_a"].program, name="Lonely Partner")
    partner_user(partner, "admin")
    return partner


def test_a_channel_manager_cannot_tick_the_kickoff_of_a_partner_without_a_cam(world, kickoff, lonely):
    with pytest.raises(ServiceError, match="no channel account manager"):
        onboarding_step_tick(actor=world["channel_manager"], partner=lonely, step=kickoff)
    assert not OnboardingProgress.objects.filter(partner=lonely).exists()
    assert not AuditEvent.objects.filter(action="onboarding.step_completed", partner_id=lonely.pk).exists()


def test_an_inactive_cam_does_not_count(world, kickoff, lonely):
    cam = staff_user(StaffRole.CAM, partners=[lonely])
    cam.is_active = False
    cam.save(update_fields=["is_active"])
    with pytest.raises(ServiceError, match="no channel account manager"):
        onboarding_step_tick(actor=world["channel_manager"], partner=lonely, step=kickoff)


def test_once_a_cam_is_assigned_the_kickoff_can_be_ticked(world, kickoff, lonely):
    cam = staff_user(StaffRole.CAM)
    partner_assign_cam(actor=world["channel_manager"], partner=lonely, cam=cam)
    assert onboarding_step_tick(actor=cam, partner=lonely, step=kickoff) == [kickoff]
    assert OnboardingProgress.objects.get(partner=lonely, step=kickoff).completed_by == cam


def test_the_staff_checklist_of_a_partner_without_a_cam_offers_no_tick(client, mfa, world, kickoff, lonely):
    assert not onboarding_state(lonely, viewer=world["channel_manager"]).can_tick
    assert onboarding_state(world["partner_a"], viewer=world["channel_manager"]).can_tick
    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    html = client.get(reverse("staff_partner_detail", args=[lonely.pk])).content.decode()
    assert "Confirm this step" not in html
    assert "assign a channel account manager first" in html
    response = client.post(reverse("staff_onboarding_tick", args=[lonely.pk, kickoff.pk]), follow=True)
    assert "no channel account manager" in response.content.decode()
    assert not OnboardingProgress.objects.filter(partner=lonely).exists()
