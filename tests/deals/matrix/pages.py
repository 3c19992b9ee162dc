"""Matrix entries of the partner pages; see the package docstring.

Staff are sent to the admin (their deals there) and refused the partner's actions; a deal outside
the scope, or a partner's draft, is 404 to them. Posted actions carry data that every authorised
partner user sees refused the same way (400), so that one role's request does not change the deal
for the next.
"""

from tests.matrix_cast import LOGIN, REDIRECT, row

_LIST = row(LOGIN, 200, 200, 200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)
_DEAL_ACTION = row(LOGIN, 400, 400, 404, 403, 404, 403, 403)
# A draft is the partner's until it is submitted: every staff user meets it like a missing deal.
_DRAFT_PAGE = row(LOGIN, 200, 200, 404, 404, 404, 404, 404)
_DRAFT_ACTION = row(LOGIN, 400, 400, 404, 404, 404, 404, 404)

ROUTES: dict = {
    "deal_list": _LIST,
    "deal_create": _LIST,
    "deal_detail": _DRAFT_PAGE,
    "deal_edit": _DRAFT_PAGE,
    "deal_delete": _DEAL_ACTION,
    "deal_submit": _DEAL_ACTION,
    "deal_answer": _DEAL_ACTION,
    "deal_progress": _DEAL_ACTION,
    "deal_won": _DEAL_ACTION,
    "deal_lost": _DEAL_ACTION,
    "deal_extension": _DRAFT_ACTION,
}
POSTED: dict = {
    "deal_delete": {},
    "deal_submit": {},
    "deal_answer": {"answer": ""},
    "deal_progress": {"stage": "nonsense"},
    "deal_won": {"final_amount": ""},
    "deal_lost": {"reason": ""},
    "deal_extension": {"reason": "more time"},
}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    draft, submitted, approved = objects["draft"].pk, objects["submitted"].pk, objects["approved"].pk
    return {
        "deal_detail": {"pk": draft},
        "deal_edit": {"pk": draft},
        "deal_delete": {"pk": submitted},  # only drafts can be deleted
        "deal_submit": {"pk": approved},  # an approved deal cannot be submitted
        "deal_answer": {"pk": submitted},
        "deal_progress": {"pk": approved},
        "deal_won": {"pk": approved},
        "deal_lost": {"pk": approved},
        "deal_extension": {"pk": draft},  # a draft protects nothing
    }


def admin_objects(objects: dict) -> dict:
    return {}
