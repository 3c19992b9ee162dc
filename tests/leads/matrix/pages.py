"""Matrix entries of the partner pages of lead distribution; see the package docstring.

Staff are sent to the admin (the lead there) and refused the partner's actions; a lead outside the
scope (partner B's user, the CAM not assigned to partner A) is 404. Posted actions carry data that
every authorised partner user sees refused the same way (400), so that one role's request does not
change the lead for the next; accepting a lead already accepted is a double click: back to the lead
with a message, nothing changed.
"""

from tests.matrix_cast import LOGIN, REDIRECT, row

_INBOX = row(LOGIN, 200, 200, 200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
_LEAD_PAGE = row(LOGIN, 200, 200, 404, REDIRECT, 404, REDIRECT, REDIRECT)
_LEAD_ACTION = row(LOGIN, 400, 400, 404, 403, 404, 403, 403)

ROUTES: dict = {
    "lead_inbox": _INBOX,
    "lead_detail": _LEAD_PAGE,
    "lead_accept": row(LOGIN, REDIRECT, REDIRECT, 404, 403, 404, 403, 403),
    "lead_decline": _LEAD_ACTION,
    "lead_advance": _LEAD_ACTION,
    "lead_lost": _LEAD_ACTION,
    "lead_convert": _LEAD_ACTION,
}
POSTED: dict = {
    "lead_accept": {},
    "lead_decline": {"reason": "", "note": "no reason given"},
    "lead_advance": {"status": "converted"},
    "lead_lost": {"reason": ""},
    "lead_convert": {"amount": "", "currency": "BRL", "expected_close_date": "2099-01-01"},
}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    offered, accepted = objects["offered"].pk, objects["accepted"].pk
    return {
        "lead_detail": {"pk": offered},
        "lead_accept": {"pk": accepted},  # already accepted: a double click, nothing changes
        "lead_decline": {"pk": offered},
        "lead_advance": {"pk": accepted},
        "lead_lost": {"pk": accepted},
        "lead_convert": {"pk": accepted},  # an accepted lead is converted only once contacted
    }


def admin_objects(objects: dict) -> dict:
    return {}
