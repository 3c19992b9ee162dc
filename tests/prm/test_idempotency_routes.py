"""Every create form carries its idempotency token and every create of the API takes the
``Idempotency-Key`` header: sent twice, each creates one record (ADR 0011)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from deals.models import Deal
from leads import services as lead_services
from leads.models import Lead, LeadImport, LeadStatus
from partners.models import Application, Invitation
from partners.roles import StaffRole
from prm.accounts.models import ApiToken
from prm.idempotency.forms import ALREADY_SENT
from tests import factories
from tests.leads.conftest import LEAD_DEFAULTS
from tests.partners.test_public import form_data
from tests.prm.test_idempotency import api_as, form_token, signed_in

CLOSE = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
CONVERT = {"amount": "25000.00", "currency": "BRL", "expected_close_date": CLOSE, "notes": "Two sites"}
CSV = (
    "contact_name,email,company,country\n"
    "Maria Souza,maria@cliente.example,Cliente Ltda.,BR\n"
    "João Lima,joao@outro.example,Outro Ltda.,BR\n"
).encode()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def program_page(db):
    program = factories.ProgramFactory()
    factories.ProgramPageFactory(program=program)
    return program


@pytest.fixture
def marketing(db, mfa):
    user = factories.staff_user(StaffRole.MARKETING)
    mfa(user)
    return user


@pytest.fixture
def contacted_lead(world):
    manager = world["channel_manager"]
    sales = world["partner_a_sales"]
    lead = lead_services.lead_create(actor=manager, **LEAD_DEFAULTS)
    lead = lead_services.lead_assign_manually(actor=manager, lead=lead, partner=world["partner_a"])
    lead = lead_services.lead_accept(actor=sales, lead=lead)
    return lead_services.lead_advance(actor=sales, lead=lead, to_status=LeadStatus.CONTACTED)


def twice(client, url, data_factory):
    """The same rendering of a form sent twice (a double click): both answers."""
    token = form_token(client, url["page"])
    return [client.post(url["post"], {**data_factory(), "idempotency_key": token}) for _ in range(2)]


def csv_upload():
    return SimpleUploadedFile("leads.csv", CSV, content_type="text/csv")


# --- HTML forms ------------------------------------------------------------------------------------


def test_the_team_invitation_sent_twice_invites_once(world):
    client = signed_in(world["partner_a_admin"])
    url = {"page": reverse("team"), "post": reverse("team_invite")}
    first, second = twice(client, url, lambda: {"email": "colleague@a.example", "role": "sales"})
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Invitation.objects.filter(user__email="colleague@a.example").count() == 1


def test_the_public_application_form_sent_twice_applies_once(program_page):
    client = APIClient(raise_request_exception=False)  # anonymous: keyed on the form's token alone
    url = {"page": reverse("apply"), "post": reverse("apply")}
    first, second = twice(client, url, form_data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] == reverse("apply_thanks")
    assert Application.objects.count() == 1


def test_the_lead_import_upload_sent_twice_imports_once(client, marketing):
    client.force_login(marketing)
    url = {"page": reverse("staff_lead_import"), "post": reverse("staff_lead_import")}
    first, second = twice(client, url, lambda: {"file": csv_upload()})
    job = LeadImport.objects.get()
    assert first["Location"] == second["Location"] == reverse("staff_lead_import_detail", kwargs={"pk": job.pk})


def test_the_profile_token_form_sent_twice_creates_one_token(world):
    client = signed_in(world["partner_a_sales"])
    url = {"page": reverse("profile"), "post": reverse("profile")}
    first, second = twice(client, url, lambda: {"name": "Reporting"})
    assert first.status_code == 200 and 'id="new-token"' in first.content.decode()
    assert second.status_code == 302 and second["Location"] == reverse("profile")
    assert ApiToken.objects.filter(user=world["partner_a_sales"]).count() == 1
    page = client.get(reverse("profile")).content.decode()
    assert "This token was already created" in page and 'id="new-token"' not in page


def test_the_lead_conversion_sent_twice_converts_once(world, contacted_lead):
    client = signed_in(world["partner_a_sales"])
    url = {
        "page": reverse("lead_detail", args=[contacted_lead.pk]),
        "post": reverse("lead_convert", args=[contacted_lead.pk]),
    }
    first, second = twice(client, url, lambda: CONVERT)
    deal = Deal.objects.get()
    assert first["Location"] == second["Location"] == reverse("deal_detail", args=[deal.pk])
    assert str(ALREADY_SENT) in client.get(second["Location"]).content.decode()
    assert Lead.objects.get(pk=contacted_lead.pk).deal == deal


# --- the API ---------------------------------------------------------------------------------------


def sent_twice(client, path, body, **kwargs):
    kwargs.setdefault("format", "json")
    responses = [
        client.post(path, body() if callable(body) else body, headers={"Idempotency-Key": "k-42"}, **kwargs)
        for _ in range(2)
    ]
    first, second = responses
    assert first.status_code in (200, 201), first.content
    assert (second.status_code, second.json()) == (first.status_code, first.json())
    assert second["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
    assert second.get("Location") == first.get("Location")
    return first


def test_the_lead_create_api_sent_twice_creates_one_lead(world):
    sent_twice(api_as(world["channel_manager"]), reverse("lead-list"), {**LEAD_DEFAULTS, "email": "n@c.example"})
    assert Lead.objects.count() == 1


def test_the_lead_convert_api_sent_twice_creates_one_deal(world, contacted_lead):
    first = sent_twice(api_as(world["partner_a_sales"]), reverse("lead-convert", args=[contacted_lead.pk]), CONVERT)
    assert list(Deal.objects.values_list("pk", flat=True)) == [first.json()["deal"]]


def test_the_team_invitation_api_sent_twice_invites_once(world):
    sent_twice(
        api_as(world["partner_a_admin"]), reverse("api_partner_me_users"), {"email": "c@a.example", "role": "sales"}
    )
    assert Invitation.objects.filter(user__email="c@a.example").count() == 1


def test_the_lead_import_api_sent_twice_imports_once(marketing):
    first = sent_twice(
        api_as(marketing), reverse("api_lead_import_list"), lambda: {"file": csv_upload()}, format="multipart"
    )
    assert list(LeadImport.objects.values_list("pk", flat=True)) == [first.json()["id"]]


def test_the_lead_import_api_with_another_file_under_the_same_key_is_refused(marketing):
    client = api_as(marketing)
    headers = {"Idempotency-Key": "file-1"}
    assert client.post(reverse("api_lead_import_list"), {"file": csv_upload()}, headers=headers).status_code == 201
    other = SimpleUploadedFile("leads.csv", CSV + b"Ana,ana@x.example,X Ltda.,BR\n", content_type="text/csv")
    assert client.post(reverse("api_lead_import_list"), {"file": other}, headers=headers).status_code == 422
    assert LeadImport.objects.count() == 1


# --- documentation and coverage --------------------------------------------------------------------

CREATES = [
    "/api/v1/deals/",
    "/api/v1/leads/",
    "/api/v1/leads/{id}/convert/",
    "/api/v1/partners/me/users/",
    "/api/v1/lead-imports/",
    "/api/v1/applications/",
]


def test_the_schema_documents_the_header_and_its_422_on_every_create(db):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path in CREATES:
        operation = schema["paths"][path]["post"]
        headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
        assert [p["name"] for p in headers] == ["Idempotency-Key"], path
        assert not headers[0].get("required") and "422" in operation["responses"], path
    documented = [
        path
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        if any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
    ]
    assert sorted(documented) == sorted(CREATES)


def test_every_create_form_renders_its_token(world, program_page, marketing, contacted_lead):
    partner_admin = signed_in(world["partner_a_admin"])
    sales = signed_in(world["partner_a_sales"])
    staff = signed_in(marketing)
    anonymous = APIClient()
    for client, url in (
        (sales, reverse("deal_create")),
        (partner_admin, reverse("team")),
        (anonymous, reverse("apply")),
        (staff, reverse("staff_lead_import")),
        (sales, reverse("profile")),
        (sales, reverse("lead_detail", args=[contacted_lead.pk])),
    ):
        form_token(client, url)
