"""Matrix entries of the lead distribution admin; see the package docstring.

Leads: the channel manager adds (``leads.add_lead``), nobody edits fields or deletes; a CAM reads
the leads held by the partners assigned to them (the CAM of another partner meets partner A's lead
as a missing one). The routing routes are POST only and need ``leads.assign_lead``: the executive
is refused, the CAM of another partner is sent away like for a missing lead, and a refusal of the
service (a second click, a lead in the wrong state) is a message on a redirect. Assignment rules:
the channel manager keeps them, the others read them. Program settings: the channel manager only;
nobody adds or deletes a row. Partner locations (for the nearest strategy): the channel manager only,
no delete.
"""

from tests.matrix_cast import OBJECT as _OBJECT
from tests.matrix_cast import REDIRECT, admin_row, admin_staff

# Channel marketing reads leads and rules and brings leads in (``leads.add_lead``); channel
# acquisition and training are granted nothing of lead distribution.
_LEADS_READ = admin_row(200, 200, 200, 200, acquisition=403, training=403)

_MANAGER_ONLY = admin_row(403, 403, 200, 403)
_SCOPED_READ = admin_row(200, REDIRECT, 200, 200, acquisition=403, training=403)
_ROUTE = admin_row(REDIRECT, REDIRECT, REDIRECT, 403)

ROUTES: dict = {
    "admin:leads_lead_assign": _ROUTE,
    "admin:leads_lead_reassign": _ROUTE,
    "admin:leads_lead_return": _ROUTE,
}
POSTED: dict = {
    "admin:leads_lead_assign": {},
    "admin:leads_lead_reassign": {"note": "Matrix check"},
    "admin:leads_lead_return": {"reason": "Matrix check"},
}
ADMIN_MODELS: dict = {
    "leads/lead": {
        "changelist": _LEADS_READ,
        "add": admin_row(403, 403, 200, 403, marketing=200),
        "history": _SCOPED_READ,
        "delete": admin_staff(403),
        "change": _SCOPED_READ,
        "object": _OBJECT,
    },
    "leads/assignmentrule": {
        "changelist": _LEADS_READ,
        "add": _MANAGER_ONLY,
        "history": _LEADS_READ,
        "delete": _MANAGER_ONLY,
        "change": _LEADS_READ,
        "object": _OBJECT,
    },
    "leads/leadprogramsettings": {
        "changelist": _MANAGER_ONLY,
        "add": admin_staff(403),
        "history": _MANAGER_ONLY,
        "delete": admin_staff(403),
        "change": _MANAGER_ONLY,
        "object": _OBJECT,
    },
    "leads/partnerlocation": {
        "changelist": _MANAGER_ONLY,
        "add": _MANAGER_ONLY,
        "history": _MANAGER_ONLY,  # the model permission first, as for every admin (prm.admin)
        "delete": admin_staff(403),
        "change": _MANAGER_ONLY,
        "object": _OBJECT,
    },
}


def route_values(objects: dict) -> dict:
    offered, accepted = objects["offered"].pk, objects["accepted"].pk
    return {
        "admin:leads_lead_assign": {"object_id": offered},
        "admin:leads_lead_reassign": {"object_id": offered},
        "admin:leads_lead_return": {"object_id": accepted},
    }


def admin_objects(objects: dict) -> dict:
    from leads.models import PartnerLocation
    from leads.services import program_settings

    partner = objects["offered"].partner
    location, _made = PartnerLocation.objects.get_or_create(
        partner=partner, defaults={"latitude": -23.55, "longitude": -46.63, "region": "SP"}
    )
    return {
        "leads/partnerlocation": location.pk,
        "leads/lead": objects["offered"].pk,
        "leads/assignmentrule": objects["rule"].pk,
        "leads/leadprogramsettings": program_settings(partner.program).pk,
    }
