"""Hostile values in the admin's object forms answer the form's error, never a 500: a value that is not
an id in an autocomplete field, an empty ``_to_field``."""

from django.urls import reverse

from leads.models import AssignmentRule
from partners.models import Membership


def test_an_autocomplete_value_that_is_not_an_id_is_the_forms_error(staff_mfa, client):
    client.force_login(staff_mfa["channel_manager"])
    before = Membership.objects.count()
    response = client.post(
        reverse("admin:partners_membership_add"),
        {"user": "\u202egnp.exe 💩", "partner": "12abc", "role": "sales"},
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "user" in errors and "partner" in errors
    assert Membership.objects.count() == before


def test_an_empty_to_field_names_the_primary_key(staff_mfa, client):
    client.force_login(staff_mfa["channel_manager"])
    rule = AssignmentRule.objects.create(name="Retail", order=10)
    url = reverse("admin:leads_assignmentrule_change", args=[rule.pk])
    assert client.get(url, {"_to_field": ""}).status_code == 200
    assert client.get(url, {"_to_field": "name"}).status_code == 400  # Django's refusal of another field
