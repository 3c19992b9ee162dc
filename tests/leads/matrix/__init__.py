"""Authorization-matrix entries of lead distribution, one module per area (``pages``, ``api``,
``admin``, ``imports``), each exporting what ``tests/deals/matrix`` documents: ``ROUTES``,
``POSTED``, ``ADMIN_MODELS``, ``route_values(objects)`` and ``admin_objects(objects)``, where
``objects`` is what :func:`objects` made.
"""

from __future__ import annotations

from . import admin, api, imports, pages

AREAS = (pages, api, admin, imports)


def objects(world) -> dict:
    """Leads of partner A in the states the routes act on, a pool lead and an assignment rule."""
    from leads import services
    from leads.models import AssignmentRule

    manager, partner = world["channel_manager"], world["partner_a"]
    fields = {
        "contact_name": "Maria Souza",
        "email": "maria@cliente.example",
        "phone": "+55 11 5555-0000",
        "company": "Cliente Ltda.",
        "country": "BR",
        "region": "SP",
        "city": "São Paulo",
        "industry": "retail",
        "company_size": "50-249",
        "rating": "A",
        "source": "webinar",
    }
    pool = services.lead_create(actor=manager, **fields)
    offered = services.lead_assign_manually(
        actor=manager,
        lead=services.lead_create(actor=manager, **{**fields, "email": "o@cliente.example"}),
        partner=partner,
    )
    accepted = services.lead_assign_manually(
        actor=manager,
        lead=services.lead_create(actor=manager, **{**fields, "email": "a@cliente.example"}),
        partner=partner,
    )
    accepted = services.lead_accept(actor=world["partner_a_sales"], lead=accepted)
    rule = AssignmentRule.objects.create(name="Matrix rule", order=1)
    return {"pool": pool, "offered": offered, "accepted": accepted, "rule": rule}


def values(world, made: dict) -> tuple[dict, dict]:
    route_values: dict = {}
    admin_ids: dict = {}
    for area in AREAS:
        route_values.update(area.route_values(made))
        admin_ids.update(area.admin_objects(made))
    return route_values, admin_ids
