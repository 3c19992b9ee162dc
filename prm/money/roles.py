"""Exchange rates: the channel manager keeps them; CAMs and executives read them (see prm.roles)."""

from prm.roles import StaffRole

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (
        "money.view_exchangerate",
        "money.add_exchangerate",
        "money.change_exchangerate",
        "money.delete_exchangerate",
    ),
    StaffRole.CAM: ("money.view_exchangerate",),
    StaffRole.EXECUTIVE: ("money.view_exchangerate",),
}
