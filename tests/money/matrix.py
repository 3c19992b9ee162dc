"""Authorization-matrix entries of exchange rates (prm.money); see tests/deals/matrix for the shape.

The channel manager keeps the rates (add, change, delete); CAMs and executives read them (the
change page is read-only for them, history included). Rates belong to no partner: both CAMs
see the same rows.
"""

import sys

from tests.matrix_cast import OBJECT as _OBJECT
from tests.matrix_cast import SEE_ALL_REFUSED, admin_row

_MANAGER_ONLY = admin_row(403, 403, 200, 403)
# Channel acquisition, marketing and training are not granted the rates.
_STAFF_READ = admin_row(200, 200, 200, 200, **SEE_ALL_REFUSED)

ROUTES: dict = {}
POSTED: dict = {}
ADMIN_MODELS: dict = {
    "money/exchangerate": {
        "changelist": _STAFF_READ,
        "add": _MANAGER_ONLY,
        "history": _STAFF_READ,
        "delete": _MANAGER_ONLY,
        "change": _STAFF_READ,
        "object": _OBJECT,
    },
}
AREAS = (sys.modules[__name__],)


def objects(world) -> dict:
    import datetime
    from decimal import Decimal

    from prm.money.services import exchange_rate_create

    rate = exchange_rate_create(
        actor=world["channel_manager"], date=datetime.date(2026, 3, 2), currency="BRL", rate=Decimal("6.1234")
    )
    return {"exchange_rate": rate}


def values(world, objects: dict) -> tuple[dict, dict]:
    return {}, {"money/exchangerate": objects["exchange_rate"].pk}
