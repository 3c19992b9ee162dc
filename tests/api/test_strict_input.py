"""Every write endpoint of the API refuses fields it does not know (400 naming them) and changes
nothing, instead of silently dropping them: mass assignment cannot hide behind a 2xx."""

import json

import pytest
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework import serializers

from partners.models import Application, Invitation, Partner
from prm.accounts.models import User
from prm.api import StrictSerializer
from tests.factories import ProgramPageFactory
from tests.test_authorization_matrix import ALL_ROUTES, ROLES, cast, client_for, route_path  # noqa: F401

UNKNOWN = "This field is unknown or cannot be set."


def signed_in(client, world, role):
    client.force_login(world[role])
    return client


def partner_state(partner: Partner) -> dict:
    partner.refresh_from_db()
    return {
        "name": partner.name,
        "tier": partner.tier_id,
        "is_active": partner.is_active,
        "program": partner.program_id,
    }


# --- the three reproductions ----------------------------------------------------------------------


def test_patching_my_partner_with_protected_fields_is_400_and_changes_nothing(client, world):
    partner = world["partner_a"]
    before = partner_state(partner)
    signed_in(client, world, "partner_a_admin")
    response = client.patch(
        "/api/v1/partners/me/",
        {"name": "Renamed", "tier": 99, "is_active": False, "program": 1, "cam": world["cam_other"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {name: [UNKNOWN] for name in ("cam", "is_active", "program", "tier")}
    assert partner_state(partner) == before
    assert not world["cam_other"].has_perm("partners.manage_partner", partner)


def test_an_unknown_field_in_an_address_is_400(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.patch(
        "/api/v1/partners/me/",
        {"addresses": [{"line1": "Rua B", "city": "Natal", "country": "BR", "partner": world["partner_b"].pk}]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"addresses": {"0": {"partner": [UNKNOWN]}}}
    assert not world["partner_a"].addresses.exists()


def test_a_multipart_profile_patch_with_an_unknown_field_is_400(client, world):
    signed_in(client, world, "partner_a_admin")
    body = encode_multipart(BOUNDARY, {"name": "Renamed", "is_active": "false"})
    response = client.patch("/api/v1/partners/me/", body, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert response.json() == {"is_active": [UNKNOWN]}
    assert partner_state(world["partner_a"])["name"] == "Partner A"


def test_inviting_with_is_staff_or_another_partner_is_400_and_invites_nobody(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.post(
        "/api/v1/partners/me/users/",
        {"email": "new@partner-a.example", "role": "sales", "is_staff": True, "partner": world["partner_b"].pk},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"is_staff": [UNKNOWN], "partner": [UNKNOWN]}
    assert not Invitation.objects.exists()
    assert not User.objects.filter(email="new@partner-a.example").exists()


def test_patching_me_with_is_staff_email_or_role_is_400_and_changes_nothing(client, world):
    user = world["partner_a_sales"]
    signed_in(client, world, "partner_a_sales")
    response = client.patch(
        "/api/v1/me/",
        {"language": "fr", "is_staff": True, "email": "boss@vendor.example", "role": "admin"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"email": [UNKNOWN], "is_staff": [UNKNOWN], "role": [UNKNOWN]}
    user.refresh_from_db()
    assert (user.language, user.is_staff, user.email) == ("", False, world["partner_a_sales"].email)
    assert user.membership.role == "sales"


def test_patching_me_with_the_language_alone_still_works(client, world):
    signed_in(client, world, "partner_a_sales")
    response = client.patch("/api/v1/me/", {"language": "fr"}, content_type="application/json")
    assert response.status_code == 200


def test_an_application_with_unknown_fields_is_400_and_stores_nothing(client, db):
    ProgramPageFactory()
    response = client.post(
        "/api/v1/applications/", {"company_name": "Nimbus", "status": "approved"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["status"] == [UNKNOWN]
    assert "contact_email" in response.json()  # the form's own errors come along
    assert not Application.objects.exists()


def test_a_lead_import_with_unknown_fields_is_400(client, world, mfa):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from leads.models import LeadImport

    mfa(world["channel_manager"])
    signed_in(client, world, "channel_manager")
    upload = SimpleUploadedFile("leads.csv", b"company,email\nAcme,a@acme.example\n", content_type="text/csv")
    response = client.post("/api/v1/lead-imports/", {"file": upload, "assign": "false", "state": "done"})
    assert response.status_code == 400
    assert response.json() == {"state": [UNKNOWN]}
    assert not LeadImport.objects.exists()


# --- every write operation, now and later ---------------------------------------------------------


def _not_strict(serializer, where: str) -> list[str]:
    """Serializers of an input, nested ones included, that would drop unknown fields."""
    if isinstance(serializer, serializers.ListSerializer):
        return _not_strict(serializer.child, where)
    if isinstance(serializer, (serializers.ListField, serializers.DictField)):
        return _not_strict(serializer.child, where)
    if not isinstance(serializer, serializers.Serializer):
        return []
    found = [] if isinstance(serializer, StrictSerializer) else [f"{where}: {type(serializer).__name__}"]
    for name, field in serializer.fields.items():
        if not field.read_only:
            found += _not_strict(field, f"{where}.{name}")
    return found


def _write_operations():
    """(method, path, request serializers) of every write operation of the OpenAPI schema."""
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    components = {name: component.object for (name, _type), component in generator.registry._components.items()}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            refs = [
                content["schema"]["$ref"].rsplit("/", 1)[-1]
                for content in operation.get("requestBody", {}).get("content", {}).values()
                if "$ref" in content.get("schema", {})
            ]
            yield method, path, [components[ref] for ref in refs]


def test_the_schema_has_write_operations_to_check():
    operations = list(_write_operations())
    paths = {path for _method, path, _serializers in operations}
    assert {"/api/v1/me/", "/api/v1/partners/me/", "/api/v1/partners/me/users/", "/api/v1/applications/"} <= paths
    assert len(operations) >= 25


def test_every_documented_write_input_is_strict():
    wrong = []
    for method, path, request_serializers in _write_operations():
        for serializer in request_serializers:
            wrong += _not_strict(serializer, f"{method.upper()} {path}")
    assert wrong == []


API_ROUTES = [route for route in ALL_ROUTES if route.pattern.startswith("api/v1/")]


@pytest.mark.parametrize("route", API_ROUTES, ids=[route.pattern for route in API_ROUTES])
def test_no_role_gets_a_2xx_for_an_unknown_field_on_any_api_route(route, cast):  # noqa: F811
    """Whatever the route, method and role: an input that reaches validation names the unknown
    field in its 400, and nothing answers 2xx to it."""
    path = route_path(route, cast)
    body = json.dumps({"zz_unknown": "x"})
    wrong = []
    for role in ROLES:
        client = client_for(role, cast)
        for method in ("post", "put", "patch"):
            response = getattr(client, method)(path, body, content_type="application/json")
            status = response.status_code
            named = status == 400 and "zz_unknown" in response.json()
            if 200 <= status < 300 or (status == 400 and not named) or status >= 500:
                wrong.append(f"{role} {method.upper()}: {status} {response.content[:200]!r}")
    assert wrong == [], path
