"""What the audit trail grants to vendor staff roles (see prm.roles)."""

from prm.roles import StaffRole

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: ("audit.view_auditevent",),
    StaffRole.CAM: ("audit.view_auditevent",),
    StaffRole.EXECUTIVE: ("audit.view_auditevent",),
}
