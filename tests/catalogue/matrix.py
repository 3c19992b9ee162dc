"""Authorization-matrix entries of the product catalogue; see tests/deals/matrix for the shape.

The channel manager keeps the products (add, change; nobody deletes one: deals and leads refer to
it); CAMs and executives read them. Products belong to no partner: both CAMs see the same rows.
"""

import sys

from tests.matrix_cast import OBJECT as _OBJECT
from tests.matrix_cast import SEE_ALL_REFUSED, admin_row

# Channel acquisition, marketing and training are not granted the catalogue.
_STAFF_READ = admin_row(200, 200, 200, 200, **SEE_ALL_REFUSED)
_NOBODY = admin_row(403, 403, 403, 403)
_MANAGER_ONLY = admin_row(403, 403, 200, 403)

ROUTES: dict = {}
POSTED: dict = {}
ADMIN_MODELS: dict = {
    "catalogue/product": {
        "changelist": _STAFF_READ,
        "add": _MANAGER_ONLY,
        "history": _STAFF_READ,
        "delete": _NOBODY,
        "change": _STAFF_READ,
        "object": _OBJECT,
    },
}
AREAS = (sys.modules[__name__],)


def objects(world) -> dict:
    from catalogue.models import Product

    return {"product": Product.objects.create(name_en="Matrix product")}


def values(world, objects: dict) -> tuple[dict, dict]:
    return {}, {"catalogue/product": objects["product"].pk}
