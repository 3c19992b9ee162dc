"""Matrix entries of /api/v1/leads/; see the package docstring.

Actions are posted with data that every authorised role sees refused the same way (400 for
invalid input, or 409 where the lead's status does not allow the action), so no role changes
the state the next one meets and the outcomes express authorization only: 401 anonymous, 404
out of scope (partner B, the CAM not assigned to A), 403 a role that may not act.
"""

from tests.matrix_cast import row, signed_in


def _partner_action(outcome):
    """Partner A's users pass (and meet ``outcome``), staff are refused, the others do not see the lead."""
    return row(401, outcome, outcome, 404, 403, 404, 403, 403)


# Assignment: partner A's CAM and the channel manager pass; the executive only reads.
def _assigner_action(outcome):
    return row(401, 403, 403, 404, outcome, 404, outcome, 403)


ROUTES: dict = {
    "lead-list": signed_in(200, anonymous=401),
    "lead-detail": row(401, 200, 200, 404, 200, 404, 200, 200),
    "lead-accept": _partner_action(409),  # the accepted lead: a double accept
    "lead-decline": _partner_action(400),  # no reason
    "lead-advance": _partner_action(400),  # not a stage
    "lead-lost": _partner_action(400),  # no reason
    "lead-convert": _partner_action(400),  # no amount nor date
    "lead-assign": _assigner_action(409),  # the offered lead is not in the pool
    "lead-reassign": _assigner_action(400),  # partner is not an id
    "lead-return-to-pool": _assigner_action(400),  # reason too long
    "lead-explanation": row(401, 403, 403, 404, 200, 404, 200, 200),
}
POSTED: dict = {
    "lead-accept": {},
    "lead-decline": {},
    "lead-advance": {"stage": "converted"},
    "lead-lost": {},
    "lead-convert": {},
    "lead-assign": {},
    "lead-reassign": {"partner": "abc"},
    "lead-return-to-pool": {"reason": "x" * 6000},
}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    offered, accepted = objects["offered"], objects["accepted"]
    on = {
        "lead-detail": offered,
        "lead-accept": accepted,
        "lead-decline": offered,
        "lead-advance": accepted,
        "lead-lost": accepted,
        "lead-convert": accepted,
        "lead-assign": offered,
        "lead-reassign": offered,
        "lead-return-to-pool": offered,
        "lead-explanation": offered,
    }
    return {key: {"pk": lead.pk} for key, lead in on.items()}


def admin_objects(objects: dict) -> dict:
    return {}
