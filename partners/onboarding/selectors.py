"""Reads of onboarding: the current agreement, who must accept it, the checklist's state."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from prm.tenancy import cam_grants

from ..models import (
    AgreementAcceptance,
    AgreementVersion,
    Membership,
    OnboardingProgress,
    OnboardingStep,
    Partner,
    Program,
    StepKind,
)
from ..roles import StaffRole

AUTOMATIC_KINDS = frozenset({StepKind.PROFILE, StepKind.AGREEMENT, StepKind.INVITE, StepKind.CONTENT})


def _program_id(program) -> int:
    return program.pk if isinstance(program, Program) else program


def _published(program_ref):
    return AgreementVersion.objects.filter(program_id=program_ref, published_at__isnull=False).order_by("-version")


def current_agreement(program) -> AgreementVersion | None:
    """The agreement version partners must have accepted: the newest published one, or None."""
    return _published(_program_id(program)).first()


def partner_needs_acceptance(partner) -> bool:
    """True when a version is published and the partner has not accepted the current one."""
    version = current_agreement(partner.program_id)
    return version is not None and not AgreementAcceptance.objects.filter(partner=partner, version=version).exists()


def membership_with_agreement_state(user):
    """The user's membership (partner and tier joined, like ``prm.tenancy.membership_of``; the program and
    its calendar too, which the partner pages read: their currency, the SLA clocks' schedule), annotated
    in the same query with ``current_agreement_id`` and ``agreement_accepted``."""
    current = _published(OuterRef("partner__program_id")).values("pk")[:1]
    return (
        Membership.objects.select_related("partner", "partner__tier", "partner__program", "partner__program__calendar")
        .filter(user=user)
        .annotate(current_agreement_id=Subquery(current))
        .annotate(
            agreement_accepted=Exists(
                AgreementAcceptance.objects.filter(
                    partner_id=OuterRef("partner_id"), version_id=OuterRef("current_agreement_id")
                )
            )
        )
        .first()
    )


def agreement_pending_for(membership) -> bool:
    """Whether an annotated membership (see above) is held on the acceptance page."""
    return bool(
        membership is not None
        and membership.partner.is_active
        and membership.current_agreement_id is not None
        and not membership.agreement_accepted
    )


def with_onboarding_counts(queryset):
    """Annotate partners with ``onboarding_done`` and ``onboarding_total`` (active steps of their
    program), as subqueries of the same query."""
    total = (
        OnboardingStep.objects.filter(program_id=OuterRef("program_id"), is_active=True)
        .order_by()
        .values("program_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    done = (
        OnboardingProgress.objects.filter(
            partner_id=OuterRef("pk"), step__is_active=True, step__program_id=OuterRef("program_id")
        )
        .order_by()
        .values("partner_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return queryset.annotate(
        onboarding_total=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        onboarding_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
    )


ONBOARDING_COMPLETE = Q(onboarding_done__gte=F("onboarding_total"))
ONBOARDING_NOT_STARTED = Q(onboarding_done=0, onboarding_total__gt=0)
ONBOARDING_IN_PROGRESS = Q(onboarding_done__gt=0, onboarding_done__lt=F("onboarding_total"))


@dataclass
class StepState:
    step: OnboardingStep
    completed_at: datetime.datetime | None

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    @property
    def automatic(self) -> bool:
        return self.step.kind in AUTOMATIC_KINDS

    @property
    def is_content(self) -> bool:
        return self.step.kind == StepKind.CONTENT

    @property
    def is_manual(self) -> bool:
        return self.step.kind == StepKind.MANUAL


@dataclass
class OnboardingState:
    partner: Partner
    steps: list[StepState] = field(default_factory=list)
    can_tick: bool = False
    has_cam: bool = True  # known only with a viewer and a manual step left

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for state in self.steps if state.done)

    @property
    def complete(self) -> bool:
        return self.done == self.total

    @property
    def next_step(self) -> OnboardingStep | None:
        return next((state.step for state in self.steps if not state.done), None)

    @property
    def completed_at(self) -> datetime.datetime | None:
        """When the last step was completed, once every step is."""
        if not self.complete or not self.steps:
            return None
        return max(state.completed_at for state in self.steps)

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


def onboarding_state(partner, *, viewer=None) -> OnboardingState:
    """The partner's checklist in order, with what is done (one query). With ``viewer``,
    ``can_tick`` says whether that staff user may confirm manual steps."""
    completed = OnboardingProgress.objects.filter(partner_id=partner.pk, step_id=OuterRef("pk")).values("completed_at")[
        :1
    ]
    steps = (
        OnboardingStep.objects.filter(program_id=partner.program_id, is_active=True)
        .annotate(completed_at=Subquery(completed))
        .order_by("order", "id")
    )
    state = OnboardingState(partner=partner, steps=[StepState(step, step.completed_at) for step in steps])
    if viewer is not None and any(s.is_manual and not s.done for s in state.steps):
        state.has_cam = has_cam(partner)
        state.can_tick = state.has_cam and may_tick(viewer, partner)
    return state


def has_cam(partner) -> bool:
    """Whether an active channel account manager is assigned to the partner."""
    return cam_grants().filter(content_object_id=partner.pk, user__is_active=True).exists()


def may_tick(user, partner) -> bool:
    """A channel manager, or a channel account manager assigned to the partner."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.is_staff):
        return False
    if user.is_superuser or user.groups.filter(name=StaffRole.CHANNEL_MANAGER).exists():
        return True
    return cam_grants().filter(user=user, content_object_id=partner.pk).exists()
