"""Drafts belong to the partner until they are submitted: no staff user (CAM, channel manager,
executive) reads them, in the admin, the staff API or the deal pages, and a staff URL to a draft
answers exactly like one to a missing deal."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from deals import services
from deals.selectors import deal_list, deals_visible_to

STAFF = ("cam_a", "channel_manager", "executive")


@pytest.fixture
def deals(world, make_deal):
    draft = make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Draft Customer")
    submitted = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company="Sent Customer")
    return {"draft": draft, "submitted": submitted, "missing": draft.pk + submitted.pk + 1000}


@pytest.fixture
def signed_in(world, client, mfa):
    def sign_in(role):
        user = world[role]
        if user.is_staff:
            mfa(user)
        client.force_login(user)
        return client

    return sign_in


def _api(user):
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize("role", STAFF)
def test_staff_selectors_leave_drafts_out(world, deals, role):
    user = world[role]
    assert set(deals_visible_to(user).values_list("pk", flat=True)) == {deals["submitted"].pk}
    assert [deal.pk for deal in deal_list(user)] == [deals["submitted"].pk]
    assert not deal_list(user, status="draft").exists()


def test_the_partner_still_sees_its_drafts(world, deals):
    user = world["partner_a_sales"]
    assert set(deals_visible_to(user).values_list("pk", flat=True)) == {deals["draft"].pk, deals["submitted"].pk}
    assert [deal.pk for deal in deal_list(user, status="draft")] == [deals["draft"].pk]


@pytest.mark.parametrize("role", STAFF)
def test_the_admin_list_and_its_status_filter_leave_drafts_out(world, deals, signed_in, role):
    client = signed_in(role)
    changelist = reverse("admin:deals_deal_changelist")
    response = client.get(changelist)
    assert response.status_code == 200
    assert [deal.pk for deal in response.context["cl"].result_list] == [deals["submitted"].pk]
    assert response.context["cl"].full_result_count == 1
    assert "Draft Customer" not in response.content.decode()
    assert "status__exact=draft" not in response.content.decode()  # no "draft" choice in the status filter
    filtered = client.get(changelist, {"status__exact": "draft"})
    assert filtered.status_code == 200 and list(filtered.context["cl"].result_list) == []


@pytest.mark.parametrize("role", STAFF)
def test_an_admin_url_to_a_draft_answers_like_a_missing_deal(world, deals, signed_in, role):
    client = signed_in(role)
    for page in ("change", "history"):
        draft = client.get(reverse(f"admin:deals_deal_{page}", args=[deals["draft"].pk]))
        missing = client.get(reverse(f"admin:deals_deal_{page}", args=[deals["missing"]]))
        assert draft.status_code == missing.status_code == 302
        assert draft["Location"] == missing["Location"] == reverse("admin:index")
    if role != "executive":
        response = client.post(reverse("admin:deals_deal_reject", args=[deals["draft"].pk]), {"reason": "No"})
        assert response.status_code == 302 and response["Location"] == reverse("admin:index")


@pytest.mark.parametrize("role", STAFF)
def test_the_staff_api_answers_404_for_a_draft_and_lists_none(world, deals, mfa, role):
    user = world[role]
    mfa(user)
    client = _api(user)
    listed = client.get(reverse("deal-list"))
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [deals["submitted"].pk]
    assert client.get(reverse("deal-list"), {"status": "draft"}).json()["results"] == []
    draft = client.get(reverse("deal-detail", args=[deals["draft"].pk]))
    missing = client.get(reverse("deal-detail", args=[deals["missing"]]))
    assert draft.status_code == missing.status_code == 404
    assert draft.json() == missing.json()


@pytest.mark.parametrize("role", STAFF)
def test_a_staff_deal_page_of_a_draft_answers_like_a_missing_one(world, deals, signed_in, role):
    client = signed_in(role)
    assert client.get(reverse("deal_detail", args=[deals["draft"].pk])).status_code == 404
    assert client.get(reverse("deal_detail", args=[deals["missing"]])).status_code == 404
    # A submitted one still sends staff to the admin.
    response = client.get(reverse("deal_detail", args=[deals["submitted"].pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:deals_deal_change", args=[deals["submitted"].pk])


def test_once_submitted_the_registration_reaches_its_cam(world, deals, signed_in):
    services.deal_submit(actor=world["partner_a_admin"], deal=deals["draft"])
    client = signed_in("cam_a")
    assert client.get(reverse("admin:deals_deal_change", args=[deals["draft"].pk])).status_code == 200
