"""The dashboards: the channel manager sets when a partner counts as inactive; the account managers,
the channel manager and the executives read the partners' activity (a CAM: their partners')."""

from prm.roles import StaffRole

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (
        "analytics.view_programanalyticssettings",
        "analytics.change_programanalyticssettings",
        "analytics.view_partneractivity",
    ),
    StaffRole.CAM: ("analytics.view_partneractivity",),
    StaffRole.EXECUTIVE: ("analytics.view_partneractivity",),
}
