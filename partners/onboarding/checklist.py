"""The onboarding checklist: automatic steps, ticks and content reads, and the stall clock they move."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.sla.models import Deadline
from prm.sla.services import deadline_cancel, deadline_met, deadline_start

from ..models import (
    Invitation,
    Membership,
    OnboardingProgress,
    OnboardingStep,
    Partner,
    PartnerAddress,
    PartnerRole,
    StepKind,
)
from ._common import _lock_partner
from .handlers import STALL_KIND
from .selectors import has_cam, may_tick, partner_needs_acceptance


def _steps_and_done(partner) -> tuple[list[OnboardingStep], set[int]]:
    steps = list(OnboardingStep.objects.filter(program_id=partner.program_id, is_active=True).order_by("order", "id"))
    done = set(OnboardingProgress.objects.filter(partner=partner).values_list("step_id", flat=True))
    return steps, done


def profile_complete(partner) -> bool:
    return (
        bool(partner.website and partner.company_size and partner.regions and partner.industries)
        and PartnerAddress.objects.filter(partner=partner).exists()
    )


def colleagues_invited(partner) -> int:
    """Colleagues of the partner's first admin: invited (invitation not revoked) or added directly."""
    first_admin = (
        Membership.objects.filter(partner=partner, role=PartnerRole.ADMIN)
        .order_by("created_at", "pk")
        .values_list("user_id", flat=True)
        .first()
    )
    invited = set(Invitation.objects.filter(partner=partner, revoked_at__isnull=True).values_list("user_id", flat=True))
    added_directly = set(
        Membership.objects.filter(partner=partner)
        .exclude(user_id__in=Invitation.objects.filter(partner=partner).values("user_id"))
        .values_list("user_id", flat=True)
    )
    return len((invited | added_directly) - {first_admin})


def _condition_holds(step: OnboardingStep, partner, cache: dict) -> bool:
    if step.kind == StepKind.PROFILE:
        if "profile" not in cache:
            cache["profile"] = profile_complete(partner)
        return cache["profile"]
    if step.kind == StepKind.AGREEMENT:
        if "agreement" not in cache:
            cache["agreement"] = not partner_needs_acceptance(partner)
        return cache["agreement"]
    if step.kind == StepKind.INVITE:
        if "colleagues" not in cache:
            cache["colleagues"] = colleagues_invited(partner)
        return cache["colleagues"] >= step.colleagues_required
    return False


def _record_progress(*, partner, step, actor) -> bool:
    _progress, created = OnboardingProgress.objects.get_or_create(
        partner=partner, step=step, defaults={"completed_by": actor if getattr(actor, "pk", None) else None}
    )
    if created:
        audit_record(
            actor=actor,
            action="onboarding.step_completed",
            obj=partner,
            to_state=step.kind,
            reason=step.title_en,
            data={"step": step.pk, "kind": step.kind},
        )
    return created


def _complete_automatic_steps(partner, actor) -> list[OnboardingStep]:
    steps, done = _steps_and_done(partner)
    cache: dict = {}
    newly = []
    for step in steps:
        if step.pk in done or step.kind in (StepKind.CONTENT, StepKind.MANUAL):
            continue
        if _condition_holds(step, partner, cache) and _record_progress(partner=partner, step=step, actor=actor):
            newly.append(step)
    return newly


def _business_day_seconds(calendar) -> int:
    day = datetime.date(2000, 1, 3)
    opens = datetime.datetime.combine(day, calendar.work_starts)
    closes = datetime.datetime.combine(day, calendar.work_ends)
    return int((closes - opens).total_seconds())


def _start_clock(partner, actor) -> Deadline:
    program = partner.program
    calendar = program.calendar
    return deadline_start(
        actor=actor,
        obj=partner,
        kind=STALL_KIND,
        calendar=calendar,
        duration_seconds=program.onboarding_stall_days * _business_day_seconds(calendar),
        reminders=(),
        partner_id=partner.pk,
    )


def _advance(partner, actor, *, progressed: bool, start: bool = False) -> None:
    """Keep the stall clock in step with the checklist.

    Every step done: the running clock is met. Otherwise progress replaces the running clock by
    a fresh one, or starts one again after a breach; a partner whose onboarding never started
    gets no clock from progress alone.
    """
    steps, done = _steps_and_done(partner)
    clocks = Deadline.objects.for_object(partner, STALL_KIND)
    running = clocks.active().first()
    if all(step.pk in done for step in steps):
        if running is not None:
            deadline_met(actor=actor, deadline=running, reason="onboarding complete")
        if progressed:
            audit_record(actor=actor, action="onboarding.completed", obj=partner, to_state="complete")
        return
    if running is not None:
        if not progressed:
            return
        deadline_cancel(actor=actor, deadline=running, reason="onboarding progress")
    elif not start and not (progressed and clocks.exists()):
        return
    _start_clock(partner, actor)


@transaction.atomic
def onboarding_start(*, partner: Partner, actor=None) -> list[OnboardingStep]:
    """Start the partner's onboarding: complete what already holds and start the stall clock.

    Safe to call again: a running clock stays as it is unless steps were completed.
    """
    partner = _lock_partner(partner)
    if not partner.is_active:
        raise ServiceError(_("This partner is inactive."))
    audit_record(actor=actor, action="onboarding.started", obj=partner)
    newly = _complete_automatic_steps(partner, actor)
    _advance(partner, actor, progressed=bool(newly), start=True)
    return newly


@transaction.atomic
def onboarding_evaluate(*, partner: Partner, actor=None) -> list[OnboardingStep]:
    """Complete every automatic step whose condition holds; returns the steps newly completed.

    Safe to call any time and more than once. Nothing happens for an inactive partner.
    """
    partner = _lock_partner(partner)
    if not partner.is_active:
        return []
    newly = _complete_automatic_steps(partner, actor)
    _advance(partner, actor, progressed=bool(newly))
    return newly


def _check_step(partner, step) -> None:
    if step.program_id != partner.program_id or not step.is_active:
        raise ServiceError(_("This step is not part of the partner's onboarding."))


@transaction.atomic
def onboarding_step_tick(*, actor, partner: Partner, step: OnboardingStep) -> list[OnboardingStep]:
    """The partner's CAM (or a channel manager) confirms a manual step; a partner without an active
    CAM cannot have one confirmed (the step is done with the CAM)."""
    _check_step(partner, step)
    if step.kind != StepKind.MANUAL:
        raise ServiceError(_("This step completes itself when its condition is met; it cannot be ticked."))
    if not may_tick(actor, partner):
        raise ServiceError(_("Only the partner's channel account manager or a channel manager can confirm this step."))
    partner = _lock_partner(partner)
    if not partner.is_active:
        raise ServiceError(_("This partner is inactive."))
    if not has_cam(partner):
        raise ServiceError(
            _(
                "This partner has no channel account manager yet: this step is confirmed with them. "
                "Assign a channel account manager first."
            )
        )
    if not _record_progress(partner=partner, step=step, actor=actor):
        return []
    _advance(partner, actor, progressed=True)
    return [step]


@transaction.atomic
def onboarding_content_read(*, actor, partner: Partner, step: OnboardingStep) -> list[OnboardingStep]:
    """A user of the partner opened a content step: the step is done."""
    _check_step(partner, step)
    if step.kind != StepKind.CONTENT:
        raise ServiceError(_("This step is not onboarding content."))
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and Membership.objects.filter(user_id=actor.pk, partner_id=partner.pk).exists()
    ):
        raise ServiceError(_("Only a user of this partner can complete its onboarding."))
    partner = _lock_partner(partner)
    if not partner.is_active:
        raise ServiceError(_("This partner is inactive."))
    if not _record_progress(partner=partner, step=step, actor=actor):
        return []
    _advance(partner, actor, progressed=True)
    return [step]
