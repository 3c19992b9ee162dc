"""GET /api/v1/me/: who the caller is, their partner and role; PATCH changes their language."""

from django.urls import reverse

from partners.roles import StaffRole


def test_me_for_a_partner_user(client, world):
    user = world["partner_a_sales"]
    client.force_login(user)
    data = client.get(reverse("api_me")).json()
    assert data["id"] == user.pk
    assert data["email"] == user.email
    assert data["name"] == user.get_full_name()
    assert data["is_staff"] is False
    assert data["role"] == "sales"
    assert data["staff_roles"] == []
    partner = world["partner_a"]
    assert data["partner"] == {"id": partner.pk, "name": "Partner A", "country": "BR", "tier": None}


def test_me_shows_the_partner_tier(client, world):
    from tests.factories import TierFactory

    partner = world["partner_a"]
    partner.tier = TierFactory(program=partner.program, name="Gold")
    partner.save()
    client.force_login(world["partner_a_admin"])
    assert client.get(reverse("api_me")).json()["partner"]["tier"] == "Gold"


def test_me_for_staff_lists_staff_roles_and_no_partner(client, world, staff_mfa):
    client.force_login(world["cam_a"])
    data = client.get(reverse("api_me")).json()
    assert data["is_staff"] is True
    assert data["role"] is None
    assert data["partner"] is None
    assert data["staff_roles"] == [StaffRole.CAM]


def test_me_needs_authentication(client, db):
    response = client.get(reverse("api_me"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_patch_me_changes_the_language(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    response = client.patch(reverse("api_me"), {"language": "fr"}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["language"] == "fr"
    user.refresh_from_db()
    assert user.language == "fr"


def test_patch_me_with_an_unknown_language_is_a_field_error_and_changes_nothing(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    response = client.patch(reverse("api_me"), {"language": "xx"}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"language": ["Choose one of the offered languages."]}
    user.refresh_from_db()
    assert user.language == ""


def test_patch_me_field_errors_come_in_the_request_language(client, world):
    client.force_login(world["partner_a_admin"])
    response = client.patch(
        reverse("api_me"), {"language": None}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.json() == {"language": ["Ce champ ne peut être nul."]}


def test_patch_me_is_a_partial_update(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    response = client.patch(reverse("api_me"), {}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["language"] == "en"
    user.refresh_from_db()
    assert user.language == ""
