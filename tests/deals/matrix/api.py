"""Matrix entries of /api/v1/deals/; see the package docstring.

Actions are posted with data that every authorised role sees refused the same way (400 for
invalid input, or 409 where the deal's status does not allow the action), so no role changes
the state the next one meets and the outcomes express authorization only: 401 anonymous, 404
out of scope (partner B, the CAM not assigned to A), 403 a role that may not act.
"""

from tests.matrix_cast import row, signed_in


def _partner_action(outcome):
    """Partner A's users pass (and meet ``outcome``), staff are refused, the others do not see the deal."""
    return row(401, outcome, outcome, 404, 403, 404, 403, 403)


# Decisions: partner A's CAM and the channel manager pass; the executive only reads.
_DECISION = row(401, 403, 403, 404, 400, 404, 400, 403)

ROUTES: dict = {
    "deal-list": signed_in(200, anonymous=401),
    "deal-detail": row(401, 200, 200, 404, 404, 404, 404, 404),  # a draft: the partner's until submitted
    "deal-submit": _partner_action(409),  # the approved deal: no longer a draft
    "deal-answer": _partner_action(400),  # no answer
    "deal-request-extension": _partner_action(409),  # the submitted deal: nothing protected yet
    "deal-progress": _partner_action(400),  # unknown stage
    "deal-close-won": _partner_action(400),  # no final amount nor date
    "deal-close-lost": _partner_action(400),  # no reason
    "deal-approve": _DECISION,  # reject_conflicting is not a boolean
    "deal-reject": _DECISION,  # no reason
    "deal-request-info": _DECISION,  # no question
    "deal-extension-decision": _DECISION,  # approve is not a boolean
}
POSTED: dict = {
    "deal-submit": {},
    "deal-answer": {},
    "deal-request-extension": {"reason": "More time"},
    "deal-progress": {"stage": "no-such-stage"},
    "deal-close-won": {},
    "deal-close-lost": {},
    "deal-approve": {"reject_conflicting": "maybe"},
    "deal-reject": {},
    "deal-request-info": {},
    "deal-extension-decision": {"approve": "maybe"},
}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    draft, submitted, approved = objects["draft"], objects["submitted"], objects["approved"]
    on = {
        "deal-detail": draft,
        "deal-submit": approved,
        "deal-answer": submitted,
        "deal-request-extension": submitted,
        "deal-progress": approved,
        "deal-close-won": approved,
        "deal-close-lost": approved,
        "deal-approve": submitted,
        "deal-reject": submitted,
        "deal-request-info": submitted,
        "deal-extension-decision": approved,
    }
    return {key: {"pk": deal.pk} for key, deal in on.items()}


def admin_objects(objects: dict) -> dict:
    return {}
