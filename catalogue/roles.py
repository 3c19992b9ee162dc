"""The product catalogue: the channel manager keeps it; CAMs and executives read it (see prm.roles)."""

from prm.roles import StaffRole

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: ("catalogue.view_product", "catalogue.add_product", "catalogue.change_product"),
    StaffRole.CAM: ("catalogue.view_product",),
    StaffRole.EXECUTIVE: ("catalogue.view_product",),
}
