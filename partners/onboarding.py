"""The partner agreement and the onboarding checklist.

Agreement: staff publish versions of the program's agreement; the newest published version
(highest version number) is the current one. A partner whose admins have not accepted it is
held on the acceptance page by ``partners.middleware.AgreementGateMiddleware``.

Checklist: the program's active steps, in order, each completed once per partner
(``OnboardingProgress``; a completed step stays completed). Automatic steps complete
themselves in ``onboarding_evaluate`` when their condition holds:

- profile: website, company size, at least one region, one industry and one address;
- agreement: the current version is accepted (or no version is published);
- invite: at least ``colleagues_required`` colleagues were invited. A colleague is anyone
  other than the partner's first admin who holds an invitation of the partner that was not
  revoked (sent, accepted or not yet), or who was added to the partner without an invitation;
- content: a user of the partner opened the step's page (``onboarding_content_read``).

Manual steps (such as the kick-off call) are confirmed with the partner's channel account manager:
they are ticked by that CAM or a channel manager, and only once the partner has an active CAM.

A stall clock (SLA kind ``onboarding.stall``, ``program.onboarding_stall_days`` business days)
runs from ``onboarding_start``; every progress restarts it, completing every step meets it, and
its breach reminds the partner admins and alerts the CAMs.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record, current_ip
from prm.errors import ServiceError
from prm.notifications.services import notify
from prm.sla.models import Deadline
from prm.sla.services import deadline_cancel, deadline_met, deadline_start
from prm.tenancy import cam_grants

from .models import (
    AgreementAcceptance,
    AgreementVersion,
    Invitation,
    Membership,
    OnboardingProgress,
    OnboardingStep,
    Partner,
    PartnerAddress,
    PartnerRole,
    Program,
    StepKind,
)
from .roles import StaffRole

STALL_KIND = "onboarding.stall"
AUTOMATIC_KINDS = frozenset({StepKind.PROFILE, StepKind.AGREEMENT, StepKind.INVITE, StepKind.CONTENT})


# --- Selectors ---------------------------------------------------------------------------------


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
    """The user's membership (partner and tier joined, like ``prm.tenancy.membership_of``),
    annotated in the same query with ``current_agreement_id`` and ``agreement_accepted``."""
    current = _published(OuterRef("partner__program_id")).values("pk")[:1]
    return (
        Membership.objects.select_related("partner", "partner__tier")
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


# --- Agreement ---------------------------------------------------------------------------------


def _is_partner_admin(user, partner) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and Membership.objects.filter(user_id=user.pk, partner_id=partner.pk, role=PartnerRole.ADMIN).exists()
    )


@transaction.atomic
def agreement_publish(*, actor, version: AgreementVersion) -> AgreementVersion:
    """Publish a version: it becomes the current one, and every partner must accept it."""
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("partners.change_agreementversion")
    ):
        raise ServiceError(_("You may not publish the partner agreement."))
    # The program lock serialises two publications of the same program.
    Program.objects.select_for_update().get(pk=version.program_id)
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is not None:
        raise ServiceError(_("This version is already published."))
    if not version.text_en.strip():
        raise ServiceError(_("Write the English text before publishing."), field="text_en")
    current = current_agreement(version.program_id)
    if current is not None and current.version > version.version:
        raise ServiceError(
            _("Version %(current)s is already published. Publish a version with a higher number.")
            % {"current": current.version}
        )
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="agreement.published",
        obj=version,
        from_state="draft",
        to_state="published",
        data={"program": version.program_id, "version": version.version},
    )
    admins = Membership.objects.filter(
        partner__program_id=version.program_id,
        partner__is_active=True,
        role=PartnerRole.ADMIN,
        user__is_active=True,
    ).select_related("user")
    for membership in admins:
        notify(
            recipient=membership.user,
            kind="agreement.published",
            dedupe_key=f"agreement-published:{version.pk}:{membership.user_id}",
            params={"version": version.version},
            url=reverse("agreement"),
        )
    return version


@transaction.atomic
def agreement_accept(*, actor, partner: Partner, version: AgreementVersion) -> AgreementAcceptance:
    """A partner admin accepts the current version for their partner (user, time, IP, version).

    Accepting a version that is already accepted returns the existing acceptance.
    """
    if not _is_partner_admin(actor, partner):
        raise ServiceError(_("Only a partner administrator of this partner can accept the agreement."))
    partner = _lock_partner(partner)
    if not partner.is_active:
        raise ServiceError(_("This partner is inactive."))
    current = current_agreement(partner.program_id)
    if current is None or current.pk != version.pk:
        raise ServiceError(_("This is not the current version of the partner agreement."))
    existing = AgreementAcceptance.objects.filter(partner=partner, version=current).first()
    if existing is not None:
        return existing
    acceptance = AgreementAcceptance.objects.create(partner=partner, version=current, user=actor, ip=current_ip.get())
    audit_record(
        actor=actor,
        action="agreement.accepted",
        obj=acceptance,
        to_state="accepted",
        data={"version": current.version},
    )
    onboarding_evaluate(partner=partner, actor=actor)
    return acceptance


# --- Checklist ---------------------------------------------------------------------------------


def _lock_partner(partner) -> Partner:
    return (
        Partner.objects.select_for_update(of=("self",))
        .select_related("program", "program__calendar")
        .get(pk=partner.pk)
    )


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


# --- Stall alert -------------------------------------------------------------------------------


def _on_stall_breach(deadline: Deadline) -> None:
    """No progress for the program's stall time: remind the partner admins, alert the CAMs."""
    from .selectors import partner_admins, partner_cams

    partner = Partner.objects.select_related("program").filter(pk=deadline.object_id, is_active=True).first()
    if partner is None:
        return
    state = onboarding_state(partner)
    if state.complete:
        return
    params = {
        "partner": partner.name,
        "days": partner.program.onboarding_stall_days,
        "done": state.done,
        "total": state.total,
    }
    for admin_user in partner_admins(partner):
        notify(
            recipient=admin_user,
            kind="onboarding.stalled",
            dedupe_key=f"onboarding-stalled:{deadline.pk}:{admin_user.pk}",
            params=params,
            url=reverse("home"),
        )
    for cam in partner_cams(partner):
        notify(
            recipient=cam,
            kind="onboarding.stalled_cam",
            dedupe_key=f"onboarding-stalled-cam:{deadline.pk}:{cam.pk}",
            params=params,
            url=reverse("staff_partner_detail", args=[partner.pk]),
        )
    audit_record(actor=None, action="onboarding.stalled", obj=partner, data={"deadline": deadline.pk, **params})


def register() -> None:
    """Notification kinds and the stall handler (called from PartnersConfig.ready)."""
    from prm.notifications.kinds import register_kind
    from prm.sla.registry import register_handler

    register_handler(STALL_KIND, on_breach=_on_stall_breach)
    register_kind(
        "agreement.published",
        label=_("A new partner agreement needs my acceptance"),
        subject=_("Please accept version {version} of the partner agreement"),
        body=_(
            "A new version of the partner agreement was published. Until a partner administrator "
            "accepts it, your team can open only the acceptance page of the portal."
        ),
    )
    register_kind(
        "onboarding.stalled",
        label=_("Reminders about my onboarding checklist"),
        subject=_("Your onboarding checklist is waiting"),
        body=_(
            "{done} of {total} onboarding steps of {partner} are done, and nothing has moved for "
            "{days} business days. Open the portal to take the next step."
        ),
    )
    register_kind(
        "onboarding.stalled_cam",
        label=_("A partner's onboarding has stalled"),
        subject=_("Onboarding of {partner} has stalled"),
        body=_(
            "{partner} has completed {done} of {total} onboarding steps and has made no progress for {days} business days."
        ),
    )
