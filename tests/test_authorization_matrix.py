"""The authorization matrix: every URL pattern of the project, for every role of the cast.

Each route of ``get_resolver()`` must have an expected outcome per role (below); a route
without one, or an entry for a route that no longer exists, fails the suite. Path arguments
are filled with objects of partner A, so partner B's user and the CAM not assigned to A see
them as missing (404) where the view is scoped.

Outcomes: an HTTP status, or the first redirect's target: ``redirect-login`` (the allauth
login page), ``redirect-admin-login`` (the admin's login gate, itself refused to partner
users), ``redirect-mfa-setup`` (staff without TOTP before the admin) and ``redirect`` (any
other redirect).

Vendor staff in the cast have TOTP set up, as production staff must before they reach the
admin; ``test_staff_without_mfa_are_sent_to_set_it_up`` proves the gate for every admin route.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

ROLES = (
    "anonymous",
    "partner_a_admin",
    "partner_a_sales",
    "partner_b_user",
    "cam_a",
    "cam_other",
    "channel_manager",
    "executive",
)
PARTNER_ROLES = ("partner_a_admin", "partner_a_sales", "partner_b_user")
STAFF_ROLES = ("cam_a", "cam_other", "channel_manager", "executive")

LOGIN = "redirect-login"
ADMIN_LOGIN = "redirect-admin-login"
MFA_SETUP = "redirect-mfa-setup"
REDIRECT = "redirect"


@dataclass(frozen=True)
class Route:
    key: str
    pattern: str
    kwarg_names: tuple[str, ...]


_CONVERTER_ARG = re.compile(r"<(?:\w+:)?(\w+)>")
_REGEX_ARG = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def project_routes() -> list[Route]:
    """Every URL pattern of the project. The key is the route name, or the pattern where unnamed."""
    routes = []
    for pattern, name in _walk(get_resolver().url_patterns):
        names = _CONVERTER_ARG.findall(pattern) + _REGEX_ARG.findall(pattern)
        routes.append(Route(key=name or pattern, pattern=pattern, kwarg_names=tuple(dict.fromkeys(names))))
    return routes


def build_path(route: Route, values: dict) -> str:
    path = _CONVERTER_ARG.sub(lambda m: str(values[m.group(1)]), route.pattern)
    path = _REGEX_ARG.sub(lambda m: str(values[m.group(1)]), path)
    path = path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    return "/" + path


def outcome(response) -> int | str:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target == reverse("account_login"):
            return LOGIN
        if target == reverse("admin:login"):
            return ADMIN_LOGIN
        if target == reverse("mfa_activate_totp"):
            return MFA_SETUP
        return REDIRECT
    return response.status_code


@pytest.fixture
def cast(world, mfa):
    """The world of conftest plus one object of partner A for every kind a route can name."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    from partners.roles import StaffRole
    from prm.accounts.services import api_token_create
    from prm.audit.services import audit_record
    from prm.notifications.services import notify

    cache.clear()
    for role in STAFF_ROLES:
        mfa(world[role])
    partner_a = world["partner_a"]
    admin_a = world["partner_a_admin"]
    token, _raw = api_token_create(actor=admin_a, name="matrix")
    notification = notify(recipient=admin_a, kind="account.token_created", dedupe_key="matrix", params={"name": "m"})
    event = audit_record(actor=world["channel_manager"], action="partner.changed", obj=partner_a)
    admin_objects = {
        "auth/group": Group.objects.get(name=StaffRole.CAM).pk,
        "account/emailaddress": EmailAddress.objects.get(user=admin_a).pk,
        "mfa/authenticator": Authenticator.objects.filter(user=world["cam_a"]).first().pk,
        "audit/auditevent": event.pk,
        "accounts/user": admin_a.pk,
        "accounts/apitoken": token.pk,
        "notifications/notification": notification.pk,
        "sla/businesscalendar": partner_a.program.calendar_id,
        "partners/program": partner_a.program_id,
        "partners/partner": partner_a.pk,
        "partners/membership": admin_a.membership.pk,
    }
    return {
        "world": world,
        "admin_objects": admin_objects,
        "values": {
            "pk": partner_a.pk,
            "format": "json",
            "content_type_id": ContentType.objects.get_for_model(partner_a).pk,
            "app_label": "partners",
            "url": "no-such-page/",
            "key": "no-such-key",
            "uidb36": "1",
            "id": admin_a.pk,
        },
        "route_values": {"notification_read": {"pk": notification.pk}},
    }


def route_path(route: Route, cast) -> str:
    values = dict(cast["values"])
    values.update(cast["route_values"].get(route.key, {}))
    if route.key == "admin:view_on_site":
        values["object_id"] = cast["world"]["partner_a"].pk
    elif "object_id" in route.kwarg_names:
        values["object_id"] = cast["admin_objects"]["/".join(route.pattern.split("/")[1:3])]
    return build_path(route, values)


def client_for(role: str, cast) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(cast["world"][role])
    return client
