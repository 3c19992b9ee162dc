"""Lead distribution: channel marketing brings leads in; the channel manager keeps the rules and
settings and assigns any lead; a CAM assigns and reassigns the leads of their partners
(see prm.roles)."""

from prm.roles import StaffRole

_VIEW = ("leads.view_lead", "leads.view_leadassignment", "leads.view_assignmentrule")

STAFF_GRANTS = {
    StaffRole.CHANNEL_MANAGER: (
        *_VIEW,
        "leads.add_lead",
        "leads.change_lead",
        "leads.assign_lead",
        "leads.add_assignmentrule",
        "leads.change_assignmentrule",
        "leads.delete_assignmentrule",
        "leads.view_leadprogramsettings",
        "leads.change_leadprogramsettings",
        "leads.view_partnerlocation",
        "leads.add_partnerlocation",
        "leads.change_partnerlocation",
    ),
    StaffRole.CAM: (*_VIEW, "leads.assign_lead"),
    StaffRole.MARKETING: (*_VIEW, "leads.add_lead"),
    StaffRole.EXECUTIVE: _VIEW,
}
