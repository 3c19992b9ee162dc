"""The partner admin writes through the services and reads through the tenancy scope."""

import pytest
from django.test import Client
from django.urls import reverse

from partners.models import Membership
from prm.audit.models import AuditEvent
from tests.factories import UserFactory


@pytest.fixture
def staff_client(client, world, mfa):
    def sign_in(role):
        mfa(world[role])
        client.force_login(world[role])
        return client

    return sign_in


def add_membership(client, user, partner, role="sales"):
    return client.post(reverse("admin:partners_membership_add"), {"user": user.pk, "partner": partner.pk, "role": role})


def test_a_channel_manager_finds_users_and_adds_a_membership(staff_client, world):
    client = staff_client("channel_manager")
    newcomer = UserFactory(first_name="Nina")
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "partners", "model_name": "membership", "field_name": "user", "term": "Nina"},
    )
    assert found.status_code == 200
    assert [row["id"] for row in found.json()["results"]] == [str(newcomer.pk)]

    response = add_membership(client, newcomer, world["partner_a"])
    assert response.status_code == 302
    membership = Membership.objects.get(user=newcomer)
    assert (membership.partner, membership.role) == (world["partner_a"], "sales")
    event = AuditEvent.objects.get(action="membership.added")
    assert event.actor_id == world["channel_manager"].pk


def test_adding_a_staff_user_is_a_field_error_and_adds_nothing(staff_client, world):
    client = staff_client("channel_manager")
    response = add_membership(client, world["cam_a"], world["partner_a"])
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"] == ["Vendor staff cannot belong to a partner."]
    assert not Membership.objects.filter(user=world["cam_a"]).exists()
    assert not AuditEvent.objects.filter(action="membership.added").exists()


def test_adding_a_member_of_another_partner_is_a_field_error(staff_client, world):
    client = staff_client("channel_manager")
    response = add_membership(client, world["partner_b_user"], world["partner_a"])
    assert response.status_code == 200
    assert "This user already belongs to a partner." in response.context["adminform"].form.errors["user"]
    assert world["partner_b_user"].membership.partner == world["partner_b"]


def test_a_cam_cannot_add_memberships_or_search_users(staff_client, world):
    client = staff_client("cam_a")
    assert add_membership(client, UserFactory(), world["partner_a"]).status_code == 403
    found = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "partners", "model_name": "membership", "field_name": "user", "term": "Test"},
    )
    assert found.status_code == 403


def test_changing_a_role_in_the_admin_goes_through_the_service(staff_client, world):
    client = staff_client("channel_manager")
    membership = world["partner_a_sales"].membership
    response = client.post(reverse("admin:partners_membership_change", args=[membership.pk]), {"role": "executive"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == "executive"
    assert AuditEvent.objects.filter(action="membership.role_changed", to_state="executive").exists()


def test_removing_a_membership_in_the_admin_audits_and_ends_the_session(staff_client, world):
    user = world["partner_a_sales"]
    theirs = Client()
    theirs.force_login(user)
    client = staff_client("channel_manager")
    response = client.post(reverse("admin:partners_membership_delete", args=[user.membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="membership.removed").exists()
    assert theirs.get(reverse("profile")).status_code == 302


def test_the_admin_lists_only_partners_in_scope(staff_client, world):
    client = staff_client("cam_a")
    response = client.get(reverse("admin:partners_partner_changelist"))
    assert [partner.name for partner in response.context["cl"].result_list] == ["Partner A"]
    memberships = client.get(reverse("admin:partners_membership_changelist")).context["cl"].result_list
    assert {membership.partner.name for membership in memberships} == {"Partner A"}


def test_an_out_of_scope_partner_in_the_admin_is_like_a_missing_one(staff_client, world):
    client = staff_client("cam_other")
    out_of_scope = client.get(reverse("admin:partners_partner_change", args=[world["partner_a"].pk]))
    missing = client.get(reverse("admin:partners_partner_change", args=[999_999]))
    assert out_of_scope.status_code == missing.status_code == 302
    assert out_of_scope["Location"] == missing["Location"]


def test_deactivating_partners_in_the_admin_goes_through_the_service(staff_client, world):
    client = staff_client("channel_manager")
    response = client.post(
        reverse("admin:partners_partner_changelist"),
        {"action": "deactivate", "_selected_action": [world["partner_a"].pk]},
    )
    assert response.status_code == 302
    world["partner_a"].refresh_from_db()
    assert not world["partner_a"].is_active
    assert AuditEvent.objects.filter(action="partner.deactivated", partner_id=world["partner_a"].pk).exists()


def test_changing_a_partner_in_the_admin_goes_through_the_profile_service(staff_client, world):
    from partners.models import Partner

    partner = world["partner_a"]
    client = staff_client("cam_a")
    url = reverse("admin:partners_partner_change", args=[partner.pk])
    data = {"name": "  Partner   Alpha ", "country": "br", "program": partner.program_id, "tax_id": "12.345/0001-99"}
    response = client.post(url, {**data, "email_domain": "not a domain"})
    assert response.status_code == 200 and "email_domain" in response.context["adminform"].form.errors
    assert Partner.objects.get(pk=partner.pk).name == "Partner A"
    assert client.post(url, data).status_code == 302
    partner.refresh_from_db()
    assert (partner.name, partner.country, partner.name_normalized) == ("Partner Alpha", "BR", "partner alpha")
    assert partner.tax_id_normalized == "12345000199"
    event = AuditEvent.objects.get(action="partner.profile_updated", object_id=str(partner.pk))
    assert event.actor_id == world["cam_a"].pk and "name" in event.reason


def test_adding_a_partner_in_the_admin_goes_through_the_service(staff_client, world):
    from partners.models import Partner

    client = staff_client("channel_manager")
    response = client.post(
        reverse("admin:partners_partner_add"),
        {"name": "Gamma Ltda", "country": "BR", "program": world["partner_a"].program_id},
    )
    assert response.status_code == 302
    partner = Partner.objects.get(name="Gamma Ltda")
    assert partner.name_normalized == "gamma"
    assert AuditEvent.objects.get(action="partner.created", object_id=str(partner.pk)).actor_id == (
        world["channel_manager"].pk
    )


def test_the_partner_services_refuse_whom_the_admin_refuses(world):
    from django.core.exceptions import PermissionDenied

    from partners.services import partner_create, partner_profile_update
    from prm.errors import ServiceError

    data = {"name": "Delta", "country": "FR", "program": world["partner_a"].program}
    for actor in (world["cam_a"], world["executive"], world["partner_a_admin"], None):
        with pytest.raises(PermissionDenied):
            partner_create(actor=actor, data=data)
    with pytest.raises(ServiceError):  # the country and the program are set by vendor staff only
        partner_profile_update(actor=world["partner_a_admin"], partner=world["partner_a"], data={"country": "FR"})


def test_the_recruitment_and_onboarding_admins_save_through_the_configuration_services(staff_client, world):
    from django.core.exceptions import PermissionDenied

    from partners.models import IcpQuestion, Specialty
    from partners.services import configuration_delete, configuration_save

    client = staff_client("channel_manager")
    response = client.post(reverse("admin:partners_specialty_add"), {"name_en": "Cloud", "is_active": "on"})
    assert response.status_code == 302
    specialty = Specialty.objects.get(name_en="Cloud")
    assert AuditEvent.objects.filter(action="specialty.created", object_id=str(specialty.pk)).exists()
    question = IcpQuestion(program=world["partner_a"].program, text_en="Why?", order=1)
    with pytest.raises(PermissionDenied):
        configuration_save(actor=world["executive"], obj=question, changed=["text_en"])
    configuration_save(actor=world["channel_manager"], obj=question, changed=["text_en"])
    assert AuditEvent.objects.get(action="icp_question.created").reason == "text_en"
    with pytest.raises(PermissionDenied):  # nobody is granted deleting a question
        configuration_delete(actor=world["channel_manager"], obj=question)
    assert IcpQuestion.objects.filter(pk=question.pk).exists()
