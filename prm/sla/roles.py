"""The SLA engine: the channel manager keeps the business calendars and their holidays; the channel
manager, CAMs and executives read the clocks (see prm.roles)."""

from prm.roles import StaffRole

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (
        "sla.view_businesscalendar",
        "sla.change_businesscalendar",
        "sla.view_holiday",
        "sla.add_holiday",
        "sla.change_holiday",
        "sla.delete_holiday",
        "sla.view_deadline",
    ),
    StaffRole.CAM: ("sla.view_deadline",),
    StaffRole.EXECUTIVE: ("sla.view_deadline",),
}
