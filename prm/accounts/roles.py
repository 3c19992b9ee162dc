"""What the user accounts grant to vendor staff roles (see prm.roles)."""

from prm.roles import StaffRole

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: ("accounts.view_user",),
}
