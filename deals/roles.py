"""Deal registration: the CAM decides on the deals of their partners, the channel manager on all of
them, gives the second approval of large deals and keeps the house accounts (the product
catalogue's grants are in catalogue.roles; see prm.roles)."""

from prm.roles import StaffRole

_VIEW = ("deals.view_deal", "deals.view_houseaccount", "deals.view_dealprogramsettings")

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (
        *_VIEW,
        "deals.add_houseaccount",
        "deals.change_houseaccount",
        "deals.delete_houseaccount",
        "deals.change_dealprogramsettings",
        "deals.approve_deal",
        "deals.approve_deal_second",
    ),
    StaffRole.CAM: (*_VIEW, "deals.approve_deal"),
    StaffRole.EXECUTIVE: _VIEW,
}
