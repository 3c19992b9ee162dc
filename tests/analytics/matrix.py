"""Authorization-matrix entries of the dashboards (analytics); see tests/deals/matrix for the shape.

A partner's admins read its dashboard (partner B's admin reads B's), its exports and history; its
sales users only once an admin shares it (not in the cast: 403), but ``/dashboard/`` shows them
their own figures meanwhile (200), as ``/dashboard/mine/`` does for every partner user. Vendor staff
are sent to their list of partners (the API: 404). Sharing is a partner admin's change of the partners app; posting "not shared" changes nothing
for the next role.

Saved views: the one in the paths is cam_a's, shared with the CAM role and with partner A. Partner
A's admin opens it on A's dashboard (its sales user meets the dashboard's own 403, partner B's user
a 404); staff are sent to the staff page, where the CAMs open it and the others meet a 404. Only its
owner deletes it (the others: 404). Every staff user saves a view of their own.
"""

import sys

from tests.matrix_cast import LOGIN, OBJECT, REDIRECT, admin_row, admin_staff, row

_PAGE = row(LOGIN, 200, 403, 200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)

_OWN = row(LOGIN, 200, 200, 200, REDIRECT, REDIRECT, REDIRECT, REDIRECT)

ROUTES: dict = {
    "dashboard": _OWN,
    "dashboard_export": _PAGE,
    "dashboard_mine": _OWN,
    "dashboard_mine_export": _OWN,
    "dashboard_history": _PAGE,
    "dashboard_history_export": _PAGE,
    "api_dashboard_partner": row(401, 200, 403, 200, 404, 404, 404, 404),
    "team_dashboard_sharing": row(LOGIN, REDIRECT, 403, REDIRECT, 404, 404, 404, 404),
}
POSTED: dict = {
    "team_dashboard_sharing": {"shared": "0"},
    "staff_saved_view_create": {"name": "Matrix view", "period": "12m", "panels": ["kpis", "ranking"]},
    "staff_saved_view_delete": {},
}
ADMIN_MODELS: dict = {}
AREAS = (sys.modules[__name__],)


def objects(world) -> dict:
    from django.utils import timezone

    from analytics.models import PartnerActivity, ProgramAnalyticsSettings
    from analytics.services import saved_view_create
    from prm.roles import StaffRole

    partner = world["partner_a"]
    activity, _made = PartnerActivity.objects.get_or_create(partner=partner, defaults={"checked_at": timezone.now()})
    settings, _made = ProgramAnalyticsSettings.objects.get_or_create(program_id=partner.program_id)
    view = saved_view_create(
        actor=world["cam_a"],
        data={
            "name": "Partner A's quarter",
            "period": "qtd",
            "panels": ["kpis", "revenue"],
            "shared_roles": [f"staff:{StaffRole.CAM}"],
            "shared_partners": [world["partner_a"].pk],
        },
    )
    return {"activity": activity, "settings": settings, "saved_view": view}


def values(world, objects: dict) -> tuple[dict, dict]:
    view = {"pk": objects["saved_view"].pk}
    return {
        "dashboard_export": {"table": "kpis"},
        "staff_dashboard_export": {"table": "kpis", "fmt": "csv"},
        "staff_partner_dashboard": {"pk": world["partner_a"].pk},
        "staff_partner_history": {"pk": world["partner_a"].pk},
        "saved_view": view,
        "staff_saved_view": view,
        "staff_saved_view_delete": view,
    }, {
        "analytics/partneractivity": objects["activity"].pk,
        "analytics/programanalyticssettings": objects["settings"].pk,
    }


_STAFF = row(LOGIN, 403, 403, 403, 200, 200, 200, 200)
ROUTES.update(
    {
        "staff_dashboard": _STAFF,
        "staff_portfolio": _STAFF,
        "staff_dashboard_export": _STAFF,
        "staff_partner_dashboard": row(LOGIN, 403, 403, 403, 200, 404, 200, 200),
        "staff_partner_history": row(LOGIN, 403, 403, 403, 200, 404, 200, 200),
        "api_dashboard_program": row(401, 404, 404, 404, 200, 200, 200, 200),
        "api_ranking": row(401, 404, 404, 404, 200, 200, 200, 200),
    }
)

# The dashboards' admin: each program's inactivity threshold is the channel manager's (one row per
# program: nobody adds or deletes); the partners' activity is read-only, a CAM's scoped to their
# partners; acquisition, marketing and training are granted neither.
_NOT_SEE_ALL = {"acquisition": 403, "marketing": 403, "training": 403}
_MANAGER_ONLY = admin_row(403, 403, 200, 403)
ADMIN_MODELS.update(
    {
        "analytics/programanalyticssettings": {
            "changelist": _MANAGER_ONLY,
            "add": admin_staff(403),
            "history": _MANAGER_ONLY,
            "delete": admin_staff(403),
            "change": _MANAGER_ONLY,
            "object": OBJECT,
        },
        "analytics/partneractivity": {
            "changelist": admin_row(200, 200, 200, 200, **_NOT_SEE_ALL),
            "add": admin_staff(403),
            "history": admin_row(200, REDIRECT, 200, 200, **_NOT_SEE_ALL),
            "delete": admin_staff(403),
            "change": admin_row(200, REDIRECT, 200, 200, **_NOT_SEE_ALL),
            "object": OBJECT,
        },
    }
)
ROUTES.update(
    {
        "saved_view": row(LOGIN, 200, 403, 404, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "staff_saved_view_create": row(LOGIN, 403, 403, 403, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
        "staff_saved_view": row(LOGIN, 403, 403, 403, 200, 200, 404, 404),
        "staff_saved_view_delete": row(LOGIN, 403, 403, 403, REDIRECT, 404, 404, 404),
    }
)
