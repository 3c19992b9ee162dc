"""/api/v1/partners/me/ (company profile) and /api/v1/partners/me/users/ (team, invitations)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from partners.api import MyPartnerView
from partners.models import Invitation, Partner, PartnerAddress
from prm.accounts.services import api_token_create
from tests.factories import partner_user

ME = "/api/v1/partners/me/"
USERS = "/api/v1/partners/me/users/"


@pytest.fixture
def api(client, world):
    def as_role(role):
        client.force_login(world[role])
        return client

    return as_role


def test_me_is_not_taken_for_a_partner_id():
    assert resolve(ME).func.view_class is MyPartnerView
    assert reverse("api_partner_me") == ME
    assert reverse("api_partner_me_users") == USERS


def test_a_partner_user_reads_their_company_profile(api, world):
    PartnerAddress.objects.create(partner=world["partner_a"], line1="Rua A", city="Recife", country="BR")
    data = api("partner_a_sales").get(ME).json()
    assert (data["id"], data["name"], data["country"]) == (world["partner_a"].pk, "Partner A", "BR")
    assert data["addresses"][0]["city"] == "Recife"
    assert data["logo_url"] is None


@pytest.mark.parametrize("role", ["cam_a", "channel_manager", "executive"])
def test_vendor_staff_have_no_partner_and_get_404(api, role, staff_mfa):
    client = api(role)
    assert client.get(ME).status_code == 404
    assert client.patch(ME, {"name": "x"}, content_type="application/json").status_code == 404
    assert client.get(USERS).status_code == 404


def test_anonymous_callers_must_authenticate(client):
    assert client.get(ME).status_code == 401
    assert client.get(USERS).status_code == 401


def test_a_partner_admin_patches_the_profile_through_the_service(api, world):
    response = api("partner_a_admin").patch(
        ME,
        {
            "name": "Partner A Ltda.",
            "regions": ["latam"],
            "addresses": [{"line1": "Rua B", "city": "Natal", "country": "BR"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Partner A Ltda."
    partner = Partner.objects.get(pk=world["partner_a"].pk)
    assert partner.name_normalized == "partner a"
    assert partner.regions == ["latam"]
    assert PartnerAddress.objects.get(partner=partner).city == "Natal"
    from prm.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="partner.profile_updated", partner_id=partner.pk).exists()


def test_a_non_admin_cannot_patch(api, world):
    response = api("partner_a_sales").patch(ME, {"name": "Mine"}, content_type="application/json")
    assert response.status_code == 403
    assert Partner.objects.get(pk=world["partner_a"].pk).name == "Partner A"


def test_field_errors_are_translated(api, world):
    client = api("partner_a_admin")
    response = client.patch(ME, {"regions": ["atlantis"]}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "n’est pas un choix valide" in str(response.json()["regions"]) or "n'est pas un choix valide" in str(
        response.json()["regions"]
    )
    service_error = client.patch(
        ME,
        {"addresses": [{"line1": "Rua B", "city": "Natal", "country": "B1"}]},
        content_type="application/json",
    )
    assert service_error.status_code == 400
    assert service_error.json() == {
        "addresses": ["Address 1: enter the country as a two-letter ISO code."],
        "code": "rule",
    }
    bad_domain = client.patch(ME, {"email_domain": "not a domain"}, content_type="application/json")
    assert bad_domain.json() == {"email_domain": ["Enter a domain name such as example.com."], "code": "rule"}


def test_a_logo_can_be_uploaded_through_the_api(api, world, settings, tmp_path):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    output = BytesIO()
    Image.new("RGB", (40, 40), "blue").save(output, format="PNG")

    def multipart(data):
        return api("partner_a_admin").patch(ME, encode_multipart(BOUNDARY, data), content_type=MULTIPART_CONTENT)

    response = multipart({"logo": SimpleUploadedFile("l.png", output.getvalue())})
    assert response.status_code == 200, response.content
    assert response.json()["logo_url"] == reverse("partner_logo", args=[world["partner_a"].pk])
    text = multipart({"logo": SimpleUploadedFile("l.png", b"just text")})
    assert text.status_code == 400
    assert text.json() == {"logo": ["Upload a PNG, JPEG or WebP image."], "code": "rule"}


def test_the_team_list_shows_only_the_callers_partner(api, world):
    invitation_user = api("partner_a_admin").post(USERS, {"email": "new@a.example", "role": "sales"})
    assert invitation_user.status_code == 201
    rows = api("partner_a_sales").get(USERS).json()["results"]
    by_email = {row["email"]: row for row in rows}
    assert set(by_email) == {world["partner_a_admin"].email, world["partner_a_sales"].email, "new@a.example"}
    assert by_email["new@a.example"]["status"] == "invited"
    assert by_email[world["partner_a_admin"].email]["role"] == "admin"
    other = api("partner_b_user").get(USERS).json()["results"]
    assert [row["email"] for row in other] == [world["partner_b_user"].email]


def test_a_partner_admin_invites_through_the_api(api, world):
    response = api("partner_a_admin").post(
        USERS,
        {"email": "Colleague@A.example", "role": "marketing", "first_name": "Cleo"},
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"]) == ("colleague@a.example", "marketing")
    assert "token" not in str(body).lower()
    assert Invitation.objects.get(pk=body["id"]).partner == world["partner_a"]


def test_inviting_through_the_api_refuses_non_admins_and_bad_input(api, world):
    assert api("partner_a_sales").post(USERS, {"email": "c@a.example", "role": "sales"}).status_code == 403
    client = api("partner_a_admin")
    bad = client.post(USERS, {"email": "nope", "role": "sales"})
    assert bad.status_code == 400 and "email" in bad.json()
    taken = client.post(USERS, {"email": world["partner_b_user"].email, "role": "sales"})
    assert taken.status_code == 400
    assert taken.json()["email"] == ["This email address cannot be invited. Ask the person for another address."]
    assert not Invitation.objects.exists()


def test_a_deactivated_members_token_stops_working_at_once(client, world):
    from partners.services import team_member_deactivate

    _token, raw = api_token_create(actor=world["partner_a_sales"], name="script")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get(USERS, **headers).status_code == 200
    team_member_deactivate(actor=world["partner_a_admin"], membership=world["partner_a_sales"].membership)
    assert client.get(USERS, **headers).status_code == 401


def test_the_team_list_query_count_does_not_grow_with_members(api, world):
    client = api("partner_a_admin")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(USERS).status_code == 200
        return len(captured)

    client.get(USERS)
    small = queries()
    for _index in range(15):
        partner_user(world["partner_a"], "sales")
    assert queries() == small
