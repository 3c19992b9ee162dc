"""The portal's admin site: Django's admin, its sidebar grouped by the channel team's workflows and
its home a queue of what waits on the signed-in user (the design system: ADR 0014).

``PrmAdminConfig`` (``prm.admin_config``) makes it ``admin.site``, so the apps register their
ModelAdmins as usual. Grouping changes only where the models are listed: ``_build_app_dict`` still
decides which models the user may view or change, so a group shows only those, and a group with none
is left out. A model no group names stays under its own app, after the groups.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .admin_queue import queue_cards

# (key, title, icon, models as "app_label.model_name"), in the sidebar's order.
SIDEBAR_GROUPS = (
    ("deals", _("Deals"), "briefcase", ("deals.deal", "deals.houseaccount", "catalogue.product")),
    ("leads", _("Leads"), "target", ("leads.lead", "leads.assignmentrule", "leads.partnerlocation")),
    (
        "partners",
        _("Partners"),
        "building-store",
        (
            "partners.partner",
            "partners.application",
            "partners.membership",
            "partners.onboardingprogress",
            "partners.agreementacceptance",
            "partners.agreementversion",
            "partners.onboardingstep",
            "partners.tier",
        ),
    ),
    (
        "program",
        _("Program & settings"),
        "settings",
        (
            "partners.program",
            "partners.programpage",
            "deals.dealprogramsettings",
            "leads.leadprogramsettings",
            "partners.criteriaitem",
            "partners.icpquestion",
            "partners.specialty",
            "partners.camterritory",
            "sla.businesscalendar",
            "money.exchangerate",
        ),
    ),
    (
        "people",
        _("People & access"),
        "users",
        ("accounts.user", "auth.group", "account.emailaddress", "mfa.authenticator", "accounts.apitoken"),
    ),
    ("audit", _("Audit"), "history", ("audit.auditevent", "sla.deadline", "notifications.notification")),
)


def group_app_list(app_dict: dict) -> list[dict]:
    """Django's apps (``_build_app_dict``) regrouped by ``SIDEBAR_GROUPS``, in the same shape
    (``name``, ``app_label``, ``app_url``, ``models``) plus ``icon``; groups keep their models' order."""
    models = {
        f"{app_label}.{model['object_name'].lower()}": model
        for app_label, app in app_dict.items()
        for model in app["models"]
    }
    placed: set[str] = set()
    groups = []
    for key, title, icon, names in SIDEBAR_GROUPS:
        members = [models[name] for name in names if name in models]
        placed.update(name for name in names if name in models)
        if members:
            groups.append(
                {
                    "name": title,
                    "app_label": f"group-{key}",
                    "app_url": "",
                    "has_module_perms": True,
                    "models": members,
                    "icon": icon,
                    "is_group": True,
                }
            )
    for app in sorted(app_dict.values(), key=lambda app: str(app["name"]).lower()):
        rest = [m for m in app["models"] if f"{app['app_label']}.{m['object_name'].lower()}" not in placed]
        if rest:
            groups.append({**app, "models": sorted(rest, key=lambda m: str(m["name"])), "icon": "settings"})
    return groups


class PrmAdminSite(admin.AdminSite):
    site_header = _("Partner Portal")
    site_title = _("Partner Portal")
    index_title = _("Your queue")
    index_template = "admin/index.html"

    def get_app_list(self, request, app_label=None):
        if app_label is not None:  # one app's own page: Django's list
            return super().get_app_list(request, app_label)
        return group_app_list(self._build_app_dict(request))

    def index(self, request, extra_context=None):
        context = {"queue_cards": queue_cards(request.user), **(extra_context or {})}
        return super().index(request, context)
