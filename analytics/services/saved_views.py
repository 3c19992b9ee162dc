"""The saved views of the dashboards: a staff user saves the period, the filters and the panels of the
program dashboard, shared with roles or with chosen partners of their scope, and deletes their own."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from partners.selectors import partner_ids_visible, partner_list_choices
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.tenancy import is_vendor_staff

from .. import panels as dashboard_panels
from .. import periods
from ..filters import FILTERS, dashboard_filters
from ..models import SavedView
from ..saved_views import partner_role_share_choices, staff_role_choices

NAME_MAX = 100


class SavedViewRefused(ServiceError):
    """The view is not saved: ``problems`` maps each refused field to its message."""

    def __init__(self, problems: dict):
        field, message = next(iter(problems.items()))
        super().__init__(message, field=field)
        self.problems = problems


def _period_problem(key, since, until):
    if key not in dict(periods.CHOICES):
        return _("Choose a period from the list.")
    try:
        periods.dashboard_period(key, since or "", until or "")
    except ServiceError as error:
        return error.message
    return None


def saved_view_problems(*, actor, data: dict) -> dict:
    """A message per field of ``data`` (cleaned) the view refuses (see ``saved_view_create``); the
    filters of ``data`` are left as the dashboard reads them."""
    problems: dict = {}
    name = data["name"]
    if not name:
        problems["name"] = _("Give the view a name.")
    elif len(name) > NAME_MAX:
        problems["name"] = _("A name has at most %(max)s characters.") % {"max": NAME_MAX}
    elif SavedView.objects.filter(owner=actor, name=name).exists():
        problems["name"] = _("You already have a view with this name.")
    problem = _period_problem(data["period"], data["since"], data["until"])
    if problem:
        problems["period"] = problem
    filters = data["filters"]
    if set(filters) - set(FILTERS):
        problems["filters"] = _("Unknown filter.")
    else:
        tiers = [tier.pk for tier in partner_list_choices(actor)["tiers"]] if filters.get("tier") else []
        kept, error = dashboard_filters({name: str(value) for name, value in filters.items()}, tiers)
        if error is not None:
            problems["filters"] = error.message
        data["filters"] = kept  # as the dashboard reads them: the country's code in capitals, the tier's id
    chosen = data["panels"]
    if not chosen:
        problems["panels"] = _("Choose at least one panel.")
    elif set(chosen) - set(dashboard_panels.ALL_KEYS):
        problems["panels"] = _("Choose panels from the list.")
    roles = data["shared_roles"]
    if set(roles) - {key for key, _label in [*staff_role_choices(), *partner_role_share_choices()]}:
        problems["shared_roles"] = _("Choose roles from the list.")
    partner_ids = data["shared_partners"]
    if partner_ids and set(partner_ids) - set(partner_ids_visible(actor, among=partner_ids)):
        problems["shared_partners"] = _("Choose partners of your scope.")
    to_partners = partner_ids or any(role.startswith("partner:") for role in roles)
    if to_partners and chosen and not set(chosen) & set(dashboard_panels.PARTNER_KEYS):
        problems.setdefault("panels", _("A view shared with partners shows at least one panel of their dashboard."))
    return problems


def _clean(data: dict) -> dict:
    def ids(values):
        found = []
        for value in values or ():
            text = str(value).strip()
            if not text.isdigit():
                raise SavedViewRefused({"shared_partners": _("Choose partners of your scope.")})
            found.append(int(text))
        return sorted(set(found))

    return {
        "name": " ".join(str(data.get("name") or "").split()),
        "period": str(data.get("period") or periods.DEFAULT),
        "since": data.get("since") or "",
        "until": data.get("until") or "",
        "filters": dict(data.get("filters") or {}),
        "panels": list(dict.fromkeys(str(key) for key in data.get("panels") or ())),
        "shared_roles": list(dict.fromkeys(str(key) for key in data.get("shared_roles") or ())),
        "shared_partners": ids(data.get("shared_partners")),
    }


@transaction.atomic
def saved_view_create(*, actor, data: dict) -> SavedView:
    """Save a view of the program dashboard for ``actor`` (vendor staff). ``data``: ``name`` (required,
    at most 100 characters, unique among the actor's views), ``period`` (a key of ``periods.CHOICES``)
    with ``since`` and ``until`` for a custom one, ``filters`` (``analytics.filters``), ``panels``
    (keys of ``analytics.panels``), ``shared_roles`` ("staff:<role>", "partner:<role>") and
    ``shared_partners`` (ids of partners in the actor's scope). Refused (``SavedViewRefused``, nothing
    written) on any bad value."""
    if not is_vendor_staff(actor):
        raise PermissionDenied(_("Only vendor staff save views."))
    data = _clean(data)
    problems = saved_view_problems(actor=actor, data=data)
    if problems:
        raise SavedViewRefused(problems)
    period = periods.dashboard_period(data["period"], data["since"], data["until"])
    custom = period.key == "custom"
    view = SavedView(
        owner=actor,
        name=data["name"],
        period=period.key,
        since=period.since if custom else None,
        until=period.until if custom else None,
        filters=data["filters"],
        panels=[key for key in dashboard_panels.ALL_KEYS if key in data["panels"]],
        shared_roles=data["shared_roles"],
    )
    try:
        with transaction.atomic():
            view.save()
    except IntegrityError:  # the same name saved meanwhile
        raise SavedViewRefused({"name": _("You already have a view with this name.")}) from None
    view.shared_partners.set(data["shared_partners"])
    audit_record(
        actor=actor,
        action="saved_view.created",
        obj=view,
        data={
            "period": view.period,
            "filters": view.filters,
            "panels": view.panels,
            "shared_roles": view.shared_roles,
            "shared_partners": data["shared_partners"],
        },
    )
    return view


@transaction.atomic
def saved_view_delete(*, actor, view: SavedView) -> None:
    """Delete a view; its owner only."""
    if view.owner_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only its owner deletes a view."))
    audit_record(actor=actor, action="saved_view.deleted", obj=view)
    view.delete()
