"""The dashboards: the channel manager sets when a partner counts as inactive; every staff role
reads the settings and the partners' activity."""

from prm.roles import StaffRole

_VIEW = ("analytics.view_programanalyticssettings", "analytics.view_partneractivity")

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (*_VIEW, "analytics.change_programanalyticssettings"),
    StaffRole.CAM: _VIEW,
    StaffRole.EXECUTIVE: _VIEW,
}
