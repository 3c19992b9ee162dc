"""Authorization-matrix entries of deal registration, one module per area.

Each module (``pages``, ``api``, ``admin``) exports ``ROUTES`` (route key -> outcomes per role),
``POSTED`` (route key -> form data), ``ADMIN_MODELS`` (admin model -> page -> outcomes) and
``route_values(objects)`` (route key -> path arguments) and ``admin_objects(objects)``
(admin model -> object id), where ``objects`` is what :func:`deal_objects` made.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from . import admin, api, pages

AREAS = (pages, api, admin)


def deal_objects(world) -> dict:
    """Partner A's deals in the states the routes act on."""
    from deals import services

    data = {
        "customer_country": "BR",
        "amount": Decimal("1000.00"),
        "currency": "BRL",
        "expected_close_date": datetime.date(2030, 1, 31),
    }
    actor, partner = world["partner_a_admin"], world["partner_a"]
    draft = services.deal_create_draft(actor=actor, partner=partner, customer_company="Draft Customer", **data)
    submitted = services.deal_submit(
        actor=actor,
        deal=services.deal_create_draft(actor=actor, partner=partner, customer_company="Submitted Customer", **data),
    )
    approved = services.deal_create_draft(actor=actor, partner=partner, customer_company="Approved Customer", **data)
    approved = services.deal_submit(actor=actor, deal=approved)
    approved = services.deal_approve(actor=world["cam_a"], deal=approved)
    return {"draft": draft, "submitted": submitted, "approved": approved}


def objects(world) -> dict:
    return deal_objects(world)


def values(world, objects: dict) -> tuple[dict, dict]:
    route_values: dict = {}
    admin_ids: dict = {}
    for area in AREAS:
        route_values.update(area.route_values(objects))
        admin_ids.update(area.admin_objects(objects))
    return route_values, admin_ids
