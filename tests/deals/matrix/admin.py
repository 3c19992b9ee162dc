"""Matrix entries of the deal registration admin; see the package docstring.

Deals: no add, no edit, no delete for anyone; a CAM reads the deals of the partners assigned to
them (the CAM of another partner meets partner A's deal as a missing one). The decision routes
are POST only and need ``deals.approve_deal``: the executive is refused, the CAM of another
partner is sent away like for a missing deal. House accounts: the channel manager keeps them,
the others read them (products: tests/catalogue/matrix.py). Program settings: the channel manager changes them, nobody adds
or deletes a row.
"""

from tests.matrix_cast import OBJECT as _OBJECT
from tests.matrix_cast import REDIRECT, SEE_ALL_REFUSED, admin_row

# Channel acquisition, marketing and training are granted nothing of deal registration.
_STAFF_READ = admin_row(200, 200, 200, 200, **SEE_ALL_REFUSED)
_NOBODY = admin_row(403, 403, 403, 403)

_MANAGER_ONLY = admin_row(403, 403, 200, 403)
_SCOPED_READ = admin_row(200, REDIRECT, 200, 200, **SEE_ALL_REFUSED)
_DECIDE = admin_row(REDIRECT, REDIRECT, REDIRECT, 403)

ROUTES: dict = {
    "admin:deals_deal_approve": _DECIDE,
    "admin:deals_deal_reject": _DECIDE,
    "admin:deals_deal_request_info": _DECIDE,
    "admin:deals_deal_extension": _DECIDE,
}
POSTED: dict = {
    "admin:deals_deal_approve": {},
    "admin:deals_deal_reject": {"reason": "Matrix check"},
    "admin:deals_deal_request_info": {"question": "Who signs?"},
    "admin:deals_deal_extension": {"decision": "reject"},
}
ADMIN_MODELS: dict = {
    "deals/deal": {
        "changelist": _STAFF_READ,
        "add": _NOBODY,
        "history": _SCOPED_READ,
        "delete": _NOBODY,
        "change": _SCOPED_READ,
        "object": _OBJECT,
    },
    "deals/houseaccount": {
        "changelist": _STAFF_READ,
        "add": _MANAGER_ONLY,
        "history": _STAFF_READ,
        "delete": _MANAGER_ONLY,
        "change": _STAFF_READ,
        "object": _OBJECT,
    },
    "deals/dealprogramsettings": {
        "changelist": _STAFF_READ,
        "add": _NOBODY,
        "history": _STAFF_READ,
        "delete": _NOBODY,
        "change": _STAFF_READ,
        "object": _OBJECT,
    },
}


def route_values(objects: dict) -> dict:
    submitted, approved = objects["submitted"].pk, objects["approved"].pk
    return {
        "admin:deals_deal_approve": {"object_id": submitted},
        "admin:deals_deal_reject": {"object_id": submitted},
        "admin:deals_deal_request_info": {"object_id": submitted},
        "admin:deals_deal_extension": {"object_id": approved},
    }


def admin_objects(objects: dict) -> dict:
    from deals.models import HouseAccount
    from deals.selectors import program_settings

    house = HouseAccount.objects.create(
        company_name="Matrix Direct Customer", name_normalized="matrix direct customer", country="BR"
    )
    return {
        "deals/deal": objects["submitted"].pk,
        "deals/houseaccount": house.pk,
        "deals/dealprogramsettings": program_settings(objects["submitted"].partner.program).pk,
    }
