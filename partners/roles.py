"""Vendor staff roles: groups with permissions. Partner roles live on Membership."""

from django.utils.translation import gettext_lazy as _


class StaffRole:
    CHANNEL_MANAGER = "channel_manager"
    CAM = "channel_account_manager"
    ACQUISITION = "channel_acquisition"
    MARKETING = "channel_marketing"
    TRAINING = "channel_training"
    EXECUTIVE = "executive"

    LABELS = {
        CHANNEL_MANAGER: _("Channel manager"),
        CAM: _("Channel account manager"),
        ACQUISITION: _("Channel acquisition"),
        MARKETING: _("Channel marketing"),
        TRAINING: _("Channel training"),
        EXECUTIVE: _("Executive (read-only)"),
    }


_VIEW = ["view_partner", "view_membership", "view_program", "view_tier"]

# app_label.codename lists per group; later features extend these.
STAFF_ROLE_PERMISSIONS = {
    StaffRole.CHANNEL_MANAGER: [
        *_VIEW,
        "view_auditevent",
        "view_all_partners",
        "view_user",
        "add_partner",
        "change_partner",
        "set_tier",
        "add_membership",
        "change_membership",
        "delete_membership",
        "change_program",
        "add_tier",
        "change_tier",
        "view_businesscalendar",
        "change_businesscalendar",
        "add_holiday",
        "change_holiday",
        "delete_holiday",
        "view_holiday",
        "view_deadline",
    ],
    StaffRole.CAM: [*_VIEW, "view_auditevent", "change_partner", "view_deadline"],
    StaffRole.ACQUISITION: [*_VIEW, "view_all_partners", "add_partner", "change_partner"],
    StaffRole.MARKETING: [*_VIEW, "view_all_partners"],
    StaffRole.TRAINING: [*_VIEW, "view_all_partners"],
    StaffRole.EXECUTIVE: [*_VIEW, "view_auditevent", "view_all_partners", "view_deadline"],
}

# The partner agreement and the onboarding checklist: the channel manager writes the agreement and
# the steps; the others read them, and the acceptances and progress of the partners they see.
_ONBOARDING_VIEW = [
    "view_agreementversion",
    "view_onboardingstep",
    "view_agreementacceptance",
    "view_onboardingprogress",
]
STAFF_ROLE_PERMISSIONS[StaffRole.CHANNEL_MANAGER] += [
    *_ONBOARDING_VIEW,
    "add_agreementversion",
    "change_agreementversion",
    "delete_agreementversion",
    "add_onboardingstep",
    "change_onboardingstep",
]
for _role in (StaffRole.CAM, StaffRole.ACQUISITION, StaffRole.EXECUTIVE):
    STAFF_ROLE_PERMISSIONS[_role] += _ONBOARDING_VIEW

# Recruitment: channel acquisition reviews applications and keeps the criteria and questions;
# the channel manager may do the same, and also keeps the program page, specialties and territories.
_RECRUITMENT_REVIEW = [
    "view_application",
    "review_application",
    "view_applicationcheck",
    "view_criteriaitem",
    "add_criteriaitem",
    "change_criteriaitem",
    "view_icpquestion",
    "add_icpquestion",
    "change_icpquestion",
    "view_camterritory",
]
STAFF_ROLE_PERMISSIONS[StaffRole.ACQUISITION] += _RECRUITMENT_REVIEW
STAFF_ROLE_PERMISSIONS[StaffRole.CHANNEL_MANAGER] += [
    *_RECRUITMENT_REVIEW,
    "view_programpage",
    "change_programpage",
    "view_specialty",
    "add_specialty",
    "change_specialty",
    "add_camterritory",
    "change_camterritory",
    "delete_camterritory",
]
STAFF_ROLE_PERMISSIONS[StaffRole.MARKETING] += ["view_programpage", "change_programpage", "view_specialty"]

# Deal registration: the CAM decides on the deals of their partners, the channel manager on all of
# them and gives the second approval of large deals; both keep the catalogue and house accounts.
_DEALS_VIEW = ["view_deal", "view_product", "view_houseaccount", "view_dealprogramsettings"]
_DEALS_CATALOGUE = ["add_product", "change_product", "add_houseaccount", "change_houseaccount"]
STAFF_ROLE_PERMISSIONS[StaffRole.CAM] += [*_DEALS_VIEW, "approve_deal"]
STAFF_ROLE_PERMISSIONS[StaffRole.CHANNEL_MANAGER] += [
    *_DEALS_VIEW,
    *_DEALS_CATALOGUE,
    "delete_houseaccount",
    "change_dealprogramsettings",
    "approve_deal",
    "approve_deal_second",
]
STAFF_ROLE_PERMISSIONS[StaffRole.EXECUTIVE] += _DEALS_VIEW

# Lead distribution: channel marketing brings leads in; the channel manager keeps the rules and
# settings and assigns any lead; a CAM assigns and reassigns the leads of their partners.
_LEADS_VIEW = ["view_lead", "view_leadassignment", "view_assignmentrule"]
STAFF_ROLE_PERMISSIONS[StaffRole.CHANNEL_MANAGER] += [
    *_LEADS_VIEW,
    "add_lead",
    "change_lead",
    "assign_lead",
    "add_assignmentrule",
    "change_assignmentrule",
    "delete_assignmentrule",
    "view_leadprogramsettings",
    "change_leadprogramsettings",
    "view_partnerlocation",
    "add_partnerlocation",
    "change_partnerlocation",
]
STAFF_ROLE_PERMISSIONS[StaffRole.CAM] += [*_LEADS_VIEW, "assign_lead"]
STAFF_ROLE_PERMISSIONS[StaffRole.MARKETING] += [*_LEADS_VIEW, "add_lead"]
STAFF_ROLE_PERMISSIONS[StaffRole.EXECUTIVE] += _LEADS_VIEW

# Exchange rates (prm.money): the channel manager keeps them; CAMs and executives read them.
STAFF_ROLE_PERMISSIONS[StaffRole.CHANNEL_MANAGER] += [
    "view_exchangerate",
    "add_exchangerate",
    "change_exchangerate",
    "delete_exchangerate",
]
STAFF_ROLE_PERMISSIONS[StaffRole.CAM] += ["view_exchangerate"]
STAFF_ROLE_PERMISSIONS[StaffRole.EXECUTIVE] += ["view_exchangerate"]
