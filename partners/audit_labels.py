from django.utils.translation import gettext_lazy as _

from partners.models import ApplicationStatus, PartnerRole, StepKind
from prm.audit.labels import register_actions, register_states

register_actions(
    {
        "partner.created": _("Partner created"),
        "partner.profile_updated": _("Company profile updated"),
        "partner.activated": _("Partner activated"),
        "partner.deactivated": _("Partner deactivated"),
        "partner.cam_assigned": _("Channel account manager assigned"),
        "partner.cam_unassigned": _("Channel account manager removed"),
        "partner.tier_changed": _("Tier changed"),
        "partner.dashboard_shared": _("Dashboard shared with the team"),
        "partner.dashboard_unshared": _("Dashboard no longer shared with the team"),
        "partners.exported": _("Partners exported"),
        "tier.requirements_changed": _("Tier requirements changed"),
        "program.branding_changed": _("Program branding changed"),
        "membership.added": _("Member added"),
        "membership.role_changed": _("Member's role changed"),
        "membership.removed": _("Member removed"),
        "membership.deactivated": _("Member deactivated"),
        "invitation.created": _("Invitation sent"),
        "invitation.resent": _("Invitation resent"),
        "invitation.revoked": _("Invitation revoked"),
        "invitation.accepted": _("Invitation accepted"),
        "application.submitted": _("Application submitted"),
        "application.criterion_ticked": _("Criterion ticked"),
        "application.criterion_unticked": _("Criterion unticked"),
        "application.approved": _("Application approved"),
        "application.rejected": _("Application rejected"),
        "agreement.published": _("Agreement published"),
        "agreement.accepted": _("Agreement accepted"),
        "onboarding.started": _("Onboarding started"),
        "onboarding.step_completed": _("Onboarding step completed"),
        "onboarding.completed": _("Onboarding completed"),
        "onboarding.stalled": _("Onboarding stalled"),
        # The configuration written through partners.services.config (its AUDIT_NOUNS).
        "program_page.created": _("Program page created"),
        "program_page.changed": _("Program page changed"),
        "program_page.deleted": _("Program page deleted"),
        "icp_question.created": _("Ideal-customer-profile question created"),
        "icp_question.changed": _("Ideal-customer-profile question changed"),
        "icp_question.deleted": _("Ideal-customer-profile question deleted"),
        "criteria_item.created": _("Minimum criterion created"),
        "criteria_item.changed": _("Minimum criterion changed"),
        "criteria_item.deleted": _("Minimum criterion deleted"),
        "specialty.created": _("Specialty created"),
        "specialty.changed": _("Specialty changed"),
        "specialty.deleted": _("Specialty deleted"),
        "cam_territory.created": _("CAM territory created"),
        "cam_territory.changed": _("CAM territory changed"),
        "cam_territory.deleted": _("CAM territory deleted"),
        "agreement.created": _("Agreement version created"),
        "agreement.changed": _("Agreement version changed"),
        "agreement.deleted": _("Agreement version deleted"),
        "onboarding_step.created": _("Onboarding step created"),
        "onboarding_step.changed": _("Onboarding step changed"),
        "onboarding_step.deleted": _("Onboarding step deleted"),
    }
)

register_states(
    "partner",
    {"active": _("Active"), "inactive": _("Inactive"), "shared": _("Shared"), "private": _("Not shared")},
)
register_states(
    "membership",
    {
        **dict(PartnerRole.choices),
        "active": _("Active"),
        "inactive": _("Inactive"),
        "invited": _("Invited"),
        "removed": _("Removed"),
    },
)
register_states("application", ApplicationStatus.choices)
register_states("agreement", {"published": _("Published"), "accepted": _("Accepted")})
register_states("onboarding", {**dict(StepKind.choices), "complete": _("Complete")})
