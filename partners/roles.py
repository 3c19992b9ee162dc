"""What partners, the program, recruitment and onboarding grant to vendor staff roles (see prm.roles).

``StaffRole`` itself lives in ``prm.roles``; it is importable from here too.
"""

from prm.roles import StaffRole

__all__ = ["STAFF_GRANTS", "StaffRole"]

_VIEW = ("partners.view_partner", "partners.view_membership", "partners.view_program", "partners.view_tier")

# The partner agreement and the onboarding checklist: the channel manager writes the agreement and
# the steps; the others read them, and the acceptances and progress of the partners they see.
_ONBOARDING_VIEW = (
    "partners.view_agreementversion",
    "partners.view_onboardingstep",
    "partners.view_agreementacceptance",
    "partners.view_onboardingprogress",
)

# Recruitment: channel acquisition reviews applications and keeps the criteria and questions;
# the channel manager may do the same, and also keeps the program page, specialties and territories.
_RECRUITMENT_REVIEW = (
    "partners.view_application",
    "partners.review_application",
    "partners.view_applicationcheck",
    "partners.view_criteriaitem",
    "partners.add_criteriaitem",
    "partners.change_criteriaitem",
    "partners.view_icpquestion",
    "partners.add_icpquestion",
    "partners.change_icpquestion",
    "partners.view_camterritory",
)

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (
        *_VIEW,
        "partners.view_all_partners",
        "partners.add_partner",
        "partners.change_partner",
        "partners.set_tier",
        "partners.add_membership",
        "partners.change_membership",
        "partners.delete_membership",
        "partners.change_program",
        "partners.add_tier",
        "partners.change_tier",
        *_ONBOARDING_VIEW,
        "partners.add_agreementversion",
        "partners.change_agreementversion",
        "partners.delete_agreementversion",
        "partners.add_onboardingstep",
        "partners.change_onboardingstep",
        *_RECRUITMENT_REVIEW,
        "partners.view_programpage",
        "partners.change_programpage",
        "partners.view_specialty",
        "partners.add_specialty",
        "partners.change_specialty",
        "partners.add_camterritory",
        "partners.change_camterritory",
        "partners.delete_camterritory",
    ),
    StaffRole.CAM: (*_VIEW, "partners.change_partner", *_ONBOARDING_VIEW),
    StaffRole.ACQUISITION: (
        *_VIEW,
        "partners.view_all_partners",
        "partners.add_partner",
        "partners.change_partner",
        *_ONBOARDING_VIEW,
        *_RECRUITMENT_REVIEW,
    ),
    StaffRole.MARKETING: (
        *_VIEW,
        "partners.view_all_partners",
        "partners.view_programpage",
        "partners.change_programpage",
        "partners.view_specialty",
    ),
    StaffRole.TRAINING: (*_VIEW, "partners.view_all_partners"),
    StaffRole.EXECUTIVE: (*_VIEW, "partners.view_all_partners", *_ONBOARDING_VIEW),
}
