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

Modules: ``selectors`` (reads), ``agreement`` (publish, accept), ``checklist`` (the steps and
the stall clock they move) and ``handlers`` (the stall alert, notification kinds). The names
used elsewhere are importable from the package.
"""

from .agreement import agreement_accept, agreement_publish
from .checklist import (
    colleagues_invited,
    onboarding_content_read,
    onboarding_evaluate,
    onboarding_start,
    onboarding_step_tick,
    profile_complete,
)
from .handlers import STALL_KIND, register
from .selectors import (
    AUTOMATIC_KINDS,
    ONBOARDING_COMPLETE,
    ONBOARDING_IN_PROGRESS,
    ONBOARDING_NOT_STARTED,
    OnboardingState,
    StepState,
    agreement_pending_for,
    current_agreement,
    has_cam,
    may_tick,
    membership_with_agreement_state,
    onboarding_state,
    partner_needs_acceptance,
    with_onboarding_counts,
)

__all__ = [
    "AUTOMATIC_KINDS",
    "ONBOARDING_COMPLETE",
    "ONBOARDING_IN_PROGRESS",
    "ONBOARDING_NOT_STARTED",
    "STALL_KIND",
    "OnboardingState",
    "StepState",
    "agreement_accept",
    "agreement_pending_for",
    "agreement_publish",
    "colleagues_invited",
    "current_agreement",
    "has_cam",
    "may_tick",
    "membership_with_agreement_state",
    "onboarding_content_read",
    "onboarding_evaluate",
    "onboarding_start",
    "onboarding_step_tick",
    "onboarding_state",
    "partner_needs_acceptance",
    "profile_complete",
    "register",
    "with_onboarding_counts",
]
