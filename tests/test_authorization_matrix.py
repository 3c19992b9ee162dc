"""The authorization matrix: every URL pattern of the project, for every role of the cast.

Every route of ``get_resolver()`` needs an expected outcome per role: in ``ROUTES`` (keyed by
route name, or by pattern where the route has none) or, for the admin's per-model pages, in
``ADMIN_MODELS``. A route without one, or an entry for a route that no longer exists, fails.
Path arguments are filled with objects of partner A, so partner B's user and the CAM not
assigned to A meet them as missing where the view is scoped (404, or the admin's "does not
exist" redirect, the same as for a missing row).

The cast, the outcomes and the helpers that write them live in ``tests/matrix_cast.py``.

Vendor staff in the cast have TOTP set up, as staff must before they reach anything;
``test_staff_without_mfa_reach_only_the_enrolment`` proves that gate on every route (API: 403,
HTML: TOTP set-up, but for the few enrolment routes of ``MFA_ENROLMENT``) and
``test_tokens_of_staff_without_mfa_are_refused`` on every API route.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from tests.analytics import matrix as analytics_matrix
from tests.catalogue import matrix as catalogue_matrix
from tests.deals import matrix as deals_matrix
from tests.leads import matrix as leads_matrix
from tests.matrix_cast import (
    ADMIN_LOGIN,
    LOGIN,
    MFA_SETUP,
    OBJECT,
    PARTNER_ROLES,
    REDIRECT,
    ROLES,
    SEE_ALL_REFUSED,
    STAFF_ROLES,
    admin_row,
    admin_staff,
    cast_people,
    everyone,
    row,
    signed_in,
)
from tests.money import matrix as money_matrix

# POST routes: the form data sent (every other route is fetched with GET).
POSTED = {
    "admin:logout": {},
    "language_set": {"language": "en"},
    "notification_read": {},
    "notification_read_all": {},
    "team_invite": {},
    "team_member_role": {"role": "sales"},
    "team_member_deactivate": {},
    "team_invitation_resend": {},
    "team_invitation_revoke": {},
    "staff_onboarding_tick": {},
}

ROUTES = {
    # Django admin: site-wide pages.
    "admin:index": admin_staff(200),
    "admin:login": row(LOGIN, 403, 403, 403, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "admin:logout": row(REDIRECT, REDIRECT, REDIRECT, REDIRECT, LOGIN, LOGIN, LOGIN, LOGIN),
    "admin:password_change": admin_staff(200),
    "admin:password_change_done": admin_staff(200),
    "admin:autocomplete": admin_staff(403),
    "admin:jsi18n": admin_staff(200),
    "admin:view_on_site": admin_staff(404),
    "admin:app_list": admin_staff(200),
    "admin/(?P<url>.*)$": admin_staff(404),
    "admin:auth_user_password_change": admin_staff(403),
    # allauth: accounts.
    "account_login": row(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "account_logout": signed_in(200),
    "account_inactive": everyone(200),
    "account_signup": row(200, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "account_reauthenticate": signed_in(200),
    "account_email": signed_in(200),
    "account_email_verification_sent": everyone(200),
    "account_change_password": signed_in(200),
    "account_set_password": signed_in(REDIRECT),
    "account_reset_password": everyone(200),
    "account_confirm_login_code": signed_in(REDIRECT),
    "account_confirm_email": everyone(200),
    "account_reset_password_from_key_done": everyone(200),
    "account_reset_password_from_key": everyone(200),
    "account_reset_password_done": everyone(200),
    # allauth: MFA (staff have TOTP, partner users have none).
    "mfa_index": signed_in(200),
    "mfa_authenticate": signed_in(REDIRECT),
    "mfa_reauthenticate": row(LOGIN, REDIRECT, REDIRECT, REDIRECT, 200, 200, 200, 200),
    "mfa_activate_totp": signed_in(REDIRECT),
    "mfa_deactivate_totp": row(LOGIN, 404, 404, 404, REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "mfa_view_recovery_codes": signed_in(404),
    "mfa_generate_recovery_codes": signed_in(REDIRECT),
    "mfa_download_recovery_codes": signed_in(404),
    # Portal pages.
    "home": everyone(200),  # anonymous visitors get the public program page
    "staff_partner_detail": row(LOGIN, 403, 403, 403, 200, 404, 200, 200),
    # The staff list of partners: every staff user, over the partners in their scope (none for some).
    "staff_partner_list": row(LOGIN, 403, 403, 403, 200, 200, 200, 200),
    "language_set": everyone(REDIRECT),
    "profile": signed_in(200),
    # The design system's reference: vendor staff (and anyone on a DEBUG machine, not here).
    "favicon": everyone(200),
    # Global search: anyone signed in, over what they may see (tests/prm/test_search.py).
    "search": signed_in(200),
    # The program's branding, loaded by every page (public).
    "brand_css": everyone(200),
    "brand_logo": everyone(200),
    "brand_favicon": everyone(200),
    "styleguide": row(404, 404, 404, 404, 200, 200, 200, 200),
    # Previews of the notification e-mails: vendor staff.
    "email_preview_list": row(404, 404, 404, 404, 200, 200, 200, 200),
    "email_preview": row(404, 404, 404, 404, 200, 200, 200, 200),
    # Recruitment: the public application form and its API.
    "apply": everyone(200),
    "apply_thanks": everyone(200),
    "application-list": everyone(405),
    "admin:partners_application_review": admin_row(403, 403, 405, 403, acquisition=405),
    # Agreement and onboarding checklist (no agreement version is published in the cast).
    "agreement": row(LOGIN, 200, 200, 200, 403, 403, 403, 403),
    "onboarding_content": row(LOGIN, 200, 200, 200, 403, 403, 403, 403),
    "staff_onboarding_tick": row(LOGIN, 403, 403, 403, REDIRECT, 404, REDIRECT, REDIRECT),
    # Team and company profile of the caller's partner (staff have none). The member in the path is
    # partner A's sales user (role posted unchanged) or, for deactivation, partner A's admin (themselves).
    "team": row(LOGIN, 200, 200, 200, 404, 404, 404, 404),
    "team_invite": row(LOGIN, 400, 403, 400, 404, 404, 404, 404),
    "team_member_role": row(LOGIN, REDIRECT, 403, 404, 404, 404, 404, 404),
    "team_member_deactivate": row(LOGIN, 400, 403, 404, 404, 404, 404, 404),
    "team_invitation_resend": row(LOGIN, REDIRECT, 403, 404, 404, 404, 404, 404),
    "team_invitation_revoke": row(LOGIN, REDIRECT, 403, 404, 404, 404, 404, 404),
    "invitation_accept": everyone(200),  # public; the path holds a valid link
    "company_profile": row(LOGIN, 200, 200, 200, 404, 404, 404, 404),
    "partner_logo": row(LOGIN, 200, 200, 404, 200, 404, 200, 200),
    "api_partner_me": row(401, 200, 200, 200, 404, 404, 404, 404),
    "api_partner_me_users": row(401, 200, 200, 200, 404, 404, 404, 404),
    # Notifications (the one named in the path belongs to partner A's admin).
    "notification_list": signed_in(200),
    "notification_count": signed_in(200),
    "notification_read_all": signed_in(REDIRECT),
    "notification_preferences": signed_in(200),
    "notification_read": row(LOGIN, REDIRECT, 404, 404, 404, 404, 404, 404),
    # API.
    "api_me": signed_in(200, anonymous=401),
    "partner-list": signed_in(200, anonymous=401),
    "partner-detail": row(401, 200, 200, 404, 200, 404, 200, 200),
    "api_schema": signed_in(200, anonymous=401),
    "api_docs": signed_in(200, anonymous=401),
}

# The admin's pages per registered model ("app_label/model_name"), for the staff roles
# (cam_a, cam_other, channel_manager, executive); "object" is the bare /<id>/ address that
# redirects to the change page. Out-of-scope rows redirect like missing ones.
_OBJECT = OBJECT
_NO_ACCESS = {
    "changelist": admin_staff(403),
    "add": admin_staff(403),
    "history": admin_staff(403),
    "delete": admin_staff(403),
    "change": admin_staff(403),
    "object": _OBJECT,
}
_SCOPED_READ = admin_row(200, REDIRECT, 200, 200)
# What acquisition, marketing and training are not granted (audit trail, SLA clocks) they do not see.
_STAFF_READ_NOT_SEE_ALL = admin_row(200, 200, 200, 200, **SEE_ALL_REFUSED)
_SCOPED_READ_NOT_SEE_ALL = admin_row(200, REDIRECT, 200, 200, **SEE_ALL_REFUSED)
ADMIN_MODELS = {
    "auth/group": _NO_ACCESS,
    "account/emailaddress": _NO_ACCESS,
    "mfa/authenticator": _NO_ACCESS,
    "accounts/user": {
        "changelist": admin_row(403, 403, 200, 403),
        "add": admin_staff(403),
        "history": admin_row(403, 403, 200, 403),
        "delete": admin_staff(403),
        "change": admin_row(403, 403, 200, 403),
        "object": _OBJECT,
    },
    "accounts/apitoken": _NO_ACCESS,
    "notifications/notification": _NO_ACCESS,
    "audit/auditevent": {
        "changelist": _STAFF_READ_NOT_SEE_ALL,
        "add": admin_staff(403),
        "history": _SCOPED_READ_NOT_SEE_ALL,
        "delete": admin_staff(403),
        "change": _SCOPED_READ_NOT_SEE_ALL,
        "object": _OBJECT,
    },
    "sla/businesscalendar": {
        "changelist": admin_row(403, 403, 200, 403),
        "add": admin_staff(403),
        "history": admin_row(403, 403, 200, 403),
        "delete": admin_staff(403),
        "change": admin_row(403, 403, 200, 403),
        "object": _OBJECT,
    },
    "sla/deadline": {
        "changelist": _STAFF_READ_NOT_SEE_ALL,
        "add": admin_staff(403),
        "history": _SCOPED_READ_NOT_SEE_ALL,
        "delete": admin_staff(403),
        "change": _SCOPED_READ_NOT_SEE_ALL,
        "object": _OBJECT,
    },
    "partners/program": {
        "changelist": admin_staff(200),
        "add": admin_staff(403),
        "history": admin_staff(200),
        "delete": admin_staff(403),
        "change": admin_staff(200),
        "object": _OBJECT,
    },
    "partners/partner": {
        "changelist": admin_staff(200),
        "add": admin_row(403, 403, 200, 403, acquisition=200),
        "history": _SCOPED_READ,
        "delete": admin_staff(403),
        "change": _SCOPED_READ,
        "object": _OBJECT,
    },
    "partners/membership": {
        "changelist": admin_staff(200),
        "add": admin_row(403, 403, 200, 403),
        "history": _SCOPED_READ,
        "delete": admin_row(403, 403, 200, 403),
        "change": _SCOPED_READ,
        "object": _OBJECT,
    },
    # Tiers and what they take: every staff role reads them, the channel manager writes them.
    "partners/tier": {
        "changelist": admin_staff(200),
        "add": admin_row(403, 403, 200, 403),
        "history": admin_staff(200),
        "delete": admin_staff(403),
        "change": admin_staff(200),
        "object": _OBJECT,
    },
}
# Channel acquisition reads the agreement and the checklist, as the CAMs and executives do; channel
# marketing and training are not granted them.
_ONBOARDING_READ = admin_row(200, 200, 200, 200, marketing=403, training=403)
_ONBOARDING_SCOPED_READ = admin_row(200, REDIRECT, 200, 200, marketing=403, training=403)
ADMIN_MODELS.update(
    {
        "partners/agreementversion": {
            "changelist": _ONBOARDING_READ,
            "add": admin_row(403, 403, 200, 403),
            "history": _ONBOARDING_READ,
            "delete": admin_row(403, 403, 200, 403),
            "change": _ONBOARDING_READ,
            "object": _OBJECT,
        },
        "partners/onboardingstep": {
            "changelist": _ONBOARDING_READ,
            "add": admin_row(403, 403, 200, 403),
            "history": _ONBOARDING_READ,
            "delete": admin_staff(403),
            "change": _ONBOARDING_READ,
            "object": _OBJECT,
        },
        "partners/agreementacceptance": {
            "changelist": _ONBOARDING_READ,
            "add": admin_staff(403),
            "history": _ONBOARDING_SCOPED_READ,
            "delete": admin_staff(403),
            "change": _ONBOARDING_SCOPED_READ,
            "object": _OBJECT,
        },
        "partners/onboardingprogress": {
            "changelist": _ONBOARDING_READ,
            "add": admin_staff(403),
            "history": _ONBOARDING_SCOPED_READ,
            "delete": admin_staff(403),
            "change": _ONBOARDING_SCOPED_READ,
            "object": _OBJECT,
        },
    }
)
_MANAGER_ONLY = admin_row(403, 403, 200, 403)
_MANAGER_CONFIGURES = {
    "changelist": _MANAGER_ONLY,
    "add": _MANAGER_ONLY,
    "history": _MANAGER_ONLY,
    "delete": admin_staff(403),
    "change": _MANAGER_ONLY,
    "object": _OBJECT,
}
# Channel acquisition reviews applications, keeps the questions and criteria and reads the
# territories; channel marketing keeps the program page and reads the specialties.
_WITH_ACQUISITION = admin_row(403, 403, 200, 403, acquisition=200)
_WITH_MARKETING = admin_row(403, 403, 200, 403, marketing=200)
_ACQUISITION_CONFIGURES = {
    **_MANAGER_CONFIGURES,
    **dict.fromkeys(("changelist", "add", "history", "change"), _WITH_ACQUISITION),
}
_ACQUISITION_READS = {**_MANAGER_CONFIGURES, **dict.fromkeys(("changelist", "history", "change"), _WITH_ACQUISITION)}
_MARKETING_READS = {**_MANAGER_CONFIGURES, **dict.fromkeys(("changelist", "history", "change"), _WITH_MARKETING)}
ADMIN_MODELS.update(
    {
        "partners/application": {**_ACQUISITION_READS, "add": admin_staff(403)},
        "partners/programpage": {**_MARKETING_READS, "add": admin_staff(403)},
        "partners/icpquestion": _ACQUISITION_CONFIGURES,
        "partners/criteriaitem": _ACQUISITION_CONFIGURES,
        "partners/specialty": _MARKETING_READS,
        "partners/camterritory": {**_ACQUISITION_READS, "delete": _MANAGER_ONLY},
    }
)
# The product catalogue, deal registration, lead distribution and exchange rates keep their entries beside
# their tests, one module per area (they use the helpers of tests/matrix_cast.py).
APP_MATRICES = (catalogue_matrix, deals_matrix, leads_matrix, money_matrix, analytics_matrix)
for _app in APP_MATRICES:
    for _area in _app.AREAS:
        ROUTES.update(_area.ROUTES)
        POSTED.update(_area.POSTED)
        ADMIN_MODELS.update(_area.ADMIN_MODELS)
_ADMIN_ACTIONS = ("changelist", "add", "history", "delete", "change")


@dataclass(frozen=True)
class Route:
    key: str
    pattern: str
    name: str | None
    kwarg_names: tuple[str, ...]

    @property
    def admin_model(self) -> str | None:
        """ "app_label/model_name" for the admin's per-model pages."""
        parts = self.pattern.split("/")
        if parts[0] != "admin" or len(parts) < 4 or self.key in ROUTES:
            return None
        return f"{parts[1]}/{parts[2]}"

    @property
    def admin_action(self) -> str | None:
        if self.admin_model is None:
            return None
        if self.name is None:
            return "object"
        return next((action for action in _ADMIN_ACTIONS if self.name.endswith(f"_{action}")), None)


_REGEX_ARG = re.compile(r"\(\?P<(\w+)>[^)]*\)")
_CONVERTER_ARG = re.compile(r"(?<!\?P)<(?:\w+:)?(\w+)>")


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
    routes = []
    for pattern, name in _walk(get_resolver().url_patterns):
        kwarg_names = _REGEX_ARG.findall(pattern) + _CONVERTER_ARG.findall(pattern)
        routes.append(Route(key=name or pattern, pattern=pattern, name=name, kwarg_names=tuple(kwarg_names)))
    return routes


def expected(route: Route) -> dict | None:
    if route.key in ROUTES:
        return ROUTES[route.key]
    return ADMIN_MODELS.get(route.admin_model or "", {}).get(route.admin_action or "")


def build_path(route: Route, values: dict) -> str:
    path = _REGEX_ARG.sub(lambda m: str(values[m.group(1)]), route.pattern)
    path = _CONVERTER_ARG.sub(lambda m: str(values[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")


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
def cast(world, mfa, settings, tmp_path):
    """The world of conftest, staff with TOTP, and one object of partner A per kind a route names."""
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.models import Group

    from partners.roles import StaffRole
    from prm.accounts.services import api_token_create
    from prm.audit.services import audit_record
    from prm.notifications.services import notify
    from prm.sla.models import Deadline
    from tests.factories import TierFactory

    cache.clear()
    world = cast_people(world)
    for role in STAFF_ROLES:
        mfa(world[role])
    partner_a = world["partner_a"]
    admin_a = world["partner_a_admin"]
    token, _raw = api_token_create(actor=admin_a, name="matrix")
    notification = notify(recipient=admin_a, kind="account.token_created", dedupe_key="matrix", params={"name": "m"})
    event = audit_record(actor=world["channel_manager"], action="partner.changed", obj=partner_a)
    deadline = Deadline.objects.create(
        kind="matrix.check",
        content_type=ContentType.objects.get_for_model(partner_a),
        object_id=partner_a.pk,
        partner_id=partner_a.pk,
        calendar=partner_a.program.calendar,
        duration_seconds=3600,
        started_at=timezone.now(),
    )
    onboarding = _onboarding_objects(partner_a, admin_a)
    recruitment = _recruitment_objects(partner_a, world["cam_a"])
    app_route_values, app_admin_objects = {}, {}
    for app in APP_MATRICES:
        made_values, made_ids = app.values(world, app.objects(world))
        app_route_values.update(made_values)
        app_admin_objects.update(made_ids)
    admin_objects = {
        **onboarding["admin_objects"],
        **recruitment["admin_objects"],
        **app_admin_objects,
        "auth/group": Group.objects.get(name=StaffRole.CAM).pk,
        "account/emailaddress": EmailAddress.objects.get(user=admin_a).pk,
        "mfa/authenticator": Authenticator.objects.filter(user=world["cam_a"]).first().pk,
        "accounts/user": admin_a.pk,
        "accounts/apitoken": token.pk,
        "notifications/notification": notification.pk,
        "audit/auditevent": event.pk,
        "sla/businesscalendar": partner_a.program.calendar_id,
        "sla/deadline": deadline.pk,
        "partners/program": partner_a.program_id,
        "partners/partner": partner_a.pk,
        "partners/membership": admin_a.membership.pk,
        "partners/tier": TierFactory(program=partner_a.program, requirements={"deals.approved": 3}).pk,
    }
    values = {
        "pk": partner_a.pk,
        "format": "json",
        "app_label": "partners",
        "content_type_id": ContentType.objects.get_for_model(partner_a).pk,
        "url": "no-such-page/",
        "key": "no-such-key",
        "uidb36": "1",
        "id": admin_a.pk,
    }
    route_values = {
        "notification_read": {"pk": notification.pk},
        "email_preview": {"kind": "account.token_created", "language": "fr"},
        "admin:view_on_site": {"object_id": partner_a.pk},
        **onboarding["route_values"],
        **recruitment["route_values"],
        **app_route_values,
        **_team_objects(partner_a, admin_a, world["partner_a_sales"], settings, tmp_path),
    }
    return {"world": world, "admin_objects": admin_objects, "values": values, "route_values": route_values}


def _onboarding_objects(partner, admin_user) -> dict:
    """A draft agreement version (nobody is held by the agreement gate), a content and a manual step."""
    from partners.models import AgreementAcceptance, OnboardingProgress, StepKind
    from tests.factories import AgreementVersionFactory, OnboardingStepFactory

    version = AgreementVersionFactory(program=partner.program, published_at=None)
    acceptance = AgreementAcceptance.objects.create(partner=partner, version=version, user=admin_user)
    content = OnboardingStepFactory(program=partner.program, kind=StepKind.CONTENT, body_en="Rules.")
    manual = OnboardingStepFactory(program=partner.program, kind=StepKind.MANUAL)
    progress = OnboardingProgress.objects.create(partner=partner, step=content, completed_by=admin_user)
    return {
        "admin_objects": {
            "partners/agreementversion": version.pk,
            "partners/onboardingstep": content.pk,
            "partners/agreementacceptance": acceptance.pk,
            "partners/onboardingprogress": progress.pk,
        },
        "route_values": {
            "onboarding_content": {"step_id": content.pk},
            "staff_onboarding_tick": {"step_id": manual.pk},
        },
    }


def _team_objects(partner, admin_user, sales_user, settings, tmp_path) -> dict:
    """An open invitation of partner A and its logo (stored under a temporary MEDIA_ROOT)."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from partners.invitations import invitation_create, invitation_token
    from partners.services import partner_profile_update

    settings.MEDIA_ROOT = tmp_path / "media"
    invitation = invitation_create(actor=admin_user, partner=partner, email="invitee@partner-a.example", role="sales")
    png = BytesIO()
    Image.new("RGB", (8, 8), "navy").save(png, format="PNG")
    logo = SimpleUploadedFile("logo.png", png.getvalue())
    partner_profile_update(actor=admin_user, partner=partner, data={}, logo=logo)
    return {
        "team_member_role": {"pk": sales_user.membership.pk},
        "team_member_deactivate": {"pk": admin_user.membership.pk},
        "team_invitation_resend": {"pk": invitation.pk},
        "team_invitation_revoke": {"pk": invitation.pk},
        "invitation_accept": {"token": invitation_token(invitation)},
    }


def _recruitment_objects(partner, cam) -> dict:
    """The program's public page, an application to review and what configures the review."""
    from partners.models import CamTerritory, Specialty
    from tests.factories import ApplicationFactory, CriteriaItemFactory, IcpQuestionFactory, ProgramPageFactory

    application = ApplicationFactory(program=partner.program)
    territory = CamTerritory.objects.create(cam=cam, country="BR")
    return {
        "admin_objects": {
            "partners/application": application.pk,
            "partners/programpage": ProgramPageFactory(program=partner.program).pk,
            "partners/icpquestion": IcpQuestionFactory(program=partner.program).pk,
            "partners/criteriaitem": CriteriaItemFactory(program=partner.program).pk,
            "partners/specialty": Specialty.objects.create(name_en="Security").pk,
            "partners/camterritory": territory.pk,
        },
        "route_values": {"admin:partners_application_review": {"object_id": application.pk}},
    }


def route_path(route: Route, cast) -> str:
    values = dict(cast["values"])
    if route.admin_model is not None and "object_id" in route.kwarg_names:
        values["object_id"] = cast["admin_objects"][route.admin_model]
    values.update(cast["route_values"].get(route.key, {}))
    path = build_path(route, values)
    assert resolve(path).route.replace("^", "") == route.pattern.replace("^", ""), path
    return path


def request(client: Client, route: Route, path: str):
    if route.key in POSTED:
        return client.post(path, POSTED[route.key])
    return client.get(path)


def client_for(role: str, cast) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anonymous":
        client.force_login(cast["world"][role])
    return client


ALL_ROUTES = project_routes()


def test_every_route_has_an_expected_outcome_for_every_role():
    missing = [route.pattern for route in ALL_ROUTES if expected(route) is None]
    assert not missing, f"Routes missing from the authorization matrix: {missing}"
    for route in ALL_ROUTES:
        assert set(expected(route)) == set(ROLES), route.key


def test_the_matrix_lists_no_route_that_no_longer_exists():
    keys = {route.key for route in ALL_ROUTES}
    assert not set(ROUTES) - keys, f"Stale matrix entries: {sorted(set(ROUTES) - keys)}"
    admin_pages = {(route.admin_model, route.admin_action) for route in ALL_ROUTES if route.admin_model}
    stale = [
        (model, action)
        for model, actions in ADMIN_MODELS.items()
        for action in actions
        if (model, action) not in admin_pages
    ]
    assert not stale, f"Stale admin entries: {stale}"


def test_partner_users_never_reach_the_admin():
    for route in ALL_ROUTES:
        if route.pattern.startswith("admin/"):
            for role in PARTNER_ROLES:
                assert expected(route)[role] != 200, (route.key, role)


@pytest.mark.parametrize("route", ALL_ROUTES, ids=[route.pattern or "/" for route in ALL_ROUTES])
def test_route_answers_each_role_as_the_matrix_says(route, cast):
    want = expected(route)
    assert want is not None, f"{route.pattern} has no row in the matrix"
    path = route_path(route, cast)
    got = {role: outcome(request(client_for(role, cast), route, path)) for role in ROLES}
    wrong = {role: f"expected {want[role]}, got {got[role]}" for role in ROLES if got[role] != want[role]}
    assert not wrong, f"{path}: {wrong}"


# Staff without TOTP (DEBUG off) reach only these routes, with these outcomes; every other route
# answers 403 (API) or sends them to TOTP set-up. The set-up asks a force_login session to
# reauthenticate first.
MFA_ENROLMENT = {
    "mfa_activate_totp": REDIRECT,
    "mfa_index": 200,
    "account_reauthenticate": 200,
    "mfa_reauthenticate": REDIRECT,
    "account_logout": 200,
    "language_set": REDIRECT,
    "brand_css": 200,
    "brand_logo": 200,
    "brand_favicon": 200,
}
API_ROUTES = [route for route in ALL_ROUTES if route.pattern.startswith("api/")]
ANONYMOUS_API = {"application-list"}  # takes no credentials at all


@pytest.fixture
def without_mfa(cast, settings):
    """Two staff roles of the cast without TOTP, DEBUG off (no demo exemption)."""
    from allauth.mfa.models import Authenticator

    settings.DEBUG = False
    settings.MFA_EXEMPT_DEMO_STAFF = False
    roles = ("cam_a", "channel_manager")
    Authenticator.objects.filter(user__in=[cast["world"][role] for role in roles]).delete()
    return roles


def test_the_mfa_enrolment_routes_are_the_middleware_allow_list():
    from prm.accounts.middleware import StaffMfaRequiredMiddleware

    assert set(MFA_ENROLMENT) == StaffMfaRequiredMiddleware.allowed_views


@pytest.mark.parametrize("route", ALL_ROUTES, ids=[route.pattern or "/" for route in ALL_ROUTES])
def test_staff_without_mfa_reach_only_the_enrolment(route, cast, without_mfa):
    want = MFA_ENROLMENT.get(route.key, 403 if route.pattern.startswith("api/") else MFA_SETUP)
    path = route_path(route, cast)
    got = {role: outcome(request(client_for(role, cast), route, path)) for role in without_mfa}
    assert got == dict.fromkeys(without_mfa, want), path


@pytest.mark.parametrize("route", API_ROUTES, ids=[route.pattern for route in API_ROUTES])
def test_tokens_of_staff_without_mfa_are_refused(route, cast, settings):
    """Tokens made while the staff user had TOTP stop working when it is removed (DEBUG off)."""
    from allauth.mfa.models import Authenticator

    from prm.accounts.services import api_token_create

    settings.DEBUG = False
    settings.MFA_EXEMPT_DEMO_STAFF = False
    staff = cast["world"]["cam_a"]
    _token, raw = api_token_create(actor=staff, name="made with MFA")
    Authenticator.objects.filter(user=staff).delete()
    path = route_path(route, cast)
    response = Client(raise_request_exception=False).get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
    if route.key in ANONYMOUS_API:
        assert response.status_code == Client(raise_request_exception=False).get(path).status_code >= 400, path
    else:
        assert response.status_code == 401, path
