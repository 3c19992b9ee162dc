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
