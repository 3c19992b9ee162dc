"""/api/v1/deals/: the partner flow, staff decisions, scope, protected fields, 409 on lost races,
bad input and the query budget of the list."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from catalogue.models import Product
from deals import services
from deals.models import Deal, DealStatus
from deals.selectors import program_settings
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.sla.models import Deadline
from tests import factories
from tests.helpers.api import assert_conflict, generated_schema, listed_ids, signed_in
from tests.helpers.concurrency import run_together
from tests.helpers.queries import queries_before_and_after
from tests.scope import VISIBLE_PARTNERS

YESTERDAY = (datetime.date.today() - datetime.timedelta(days=1)).isoformat()
DRAFT = {
    "customer_company": "Acme Soluções Ltda.",
    "customer_email": "buyer@acme.com.br",
    "customer_country": "BR",
    "amount": "1000.00",
    "currency": "BRL",
    "expected_close_date": "2030-01-31",
}


def url(name, deal=None):
    return reverse(f"deal-{name}", args=[deal.pk] if deal is not None else [])


def post(client, name, deal, data=None, **extra):
    return client.post(url(name, deal), data or {}, format="json", **extra)


@pytest.fixture
def submitted(world, make_deal):
    return make_deal(world["partner_a_admin"], world["partner_a"], submit=True)


@pytest.fixture
def approved(world, submitted):
    return services.deal_approve(actor=world["cam_a"], deal=submitted)


# --- the partner flow --------------------------------------------------------------------------


def test_partner_flow_create_update_submit_answer_approve_progress_extend_win(world, api):
    product = Product.objects.create(name_en="Firewall")
    partner, cam = api("partner_a_sales"), api("cam_a")

    response = partner.post(url("list"), {**DRAFT, "products": [product.pk]}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    deal = Deal.objects.get(pk=data["id"])
    assert data["status"] == "draft" and data["products"] == [product.pk]
    assert data["partner"] == world["partner_a"].pk
    assert data["amount"] == "1000.00" and data["currency"] == "BRL"
    assert data["decision_due_at"] is None and data["decision_state"] is None
    assert deal.created_by == world["partner_a_sales"]

    response = partner.patch(url("detail", deal), {"amount": "2500.50", "products": []}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["amount"] == "2500.50" and response.json()["products"] == []
    assert response.json()["customer_company"] == "Acme Soluções Ltda."

    response = post(partner, "submit", deal)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "submitted" and data["submitted_at"]
    deadline = Deadline.objects.get(object_id=deal.pk, kind=services.DECISION_KIND)
    assert data["decision_state"] == "open"
    assert data["decision_due_at"] == deadline.due_at.isoformat().replace("+00:00", "Z")
    assert data["conflict_review"] is None

    response = post(cam, "request-info", deal, {"question": "Who is the buyer?"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "info_requested"
    assert response.json()["decision_state"] == "paused" and response.json()["decision_due_at"] is None

    data = partner.get(url("detail", deal)).json()
    assert data["info_question"] == "Who is the buyer?"
    response = post(partner, "answer", deal, {"answer": "The CIO."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "submitted" and response.json()["info_answer"] == "The CIO."
    assert response.json()["decision_state"] == "open" and response.json()["decision_due_at"]

    response = post(cam, "approve", deal)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "approved" and data["stage"] == "qualification"
    assert data["decision_state"] == "met"
    assert data["approved_at"] and data["protected_until"] and data["is_protecting"]
    assert data["extension_state"] == "available" and data["extensions_left"] == 1

    response = post(partner, "progress", deal, {"stage": "negotiation", "amount": "3000"})
    assert response.status_code == 200, response.json()
    assert response.json()["stage"] == "negotiation" and response.json()["amount"] == "3000.00"
    response = post(partner, "progress", deal, {"stage": "commit"})
    assert response.json()["stage"] == "commit" and response.json()["amount"] == "3000.00"

    protected_until = Deal.objects.get(pk=deal.pk).protected_until
    response = post(partner, "request-extension", deal, {"reason": "Budget freeze until March."})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["extension_state"] == "requested" and data["extension_requested_at"]
    assert data["extension_reason"] == "Budget freeze until March."

    response = post(cam, "extension-decision", deal, {"approve": True})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["extensions_used"] == 1 and data["extensions_left"] == 0
    assert data["extension_state"] == "unavailable"
    days = program_settings(world["partner_a"].program).extension_days
    assert Deal.objects.get(pk=deal.pk).protected_until == protected_until + datetime.timedelta(days=days)

    response = post(partner, "close-won", deal, {"final_amount": "2900.00", "closed_on": YESTERDAY})
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "won" and data["final_amount"] == "2900.00" and data["closed_on"] == YESTERDAY
    assert not data["is_protecting"]
    actions = set(AuditEvent.objects.filter(object_id=str(deal.pk)).values_list("action", flat=True))
    assert {"deal.created", "deal.updated", "deal.submitted", "deal.approved", "deal.won"} <= actions


def test_close_lost_and_refused_extension(world, api, approved):
    partner, cam = api("partner_a_admin"), api("channel_manager")
    assert post(partner, "request-extension", approved).status_code == 200
    response = post(cam, "extension-decision", approved, {"approve": False, "reason": "Not this time."})
    assert response.status_code == 200, response.json()
    assert response.json()["extensions_used"] == 0 and response.json()["extension_state"] == "available"
    response = post(partner, "close-lost", approved, {"reason": "Went with a competitor."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "lost" and response.json()["decision_reason"] == "Went with a competitor."


def test_delete_a_draft_only(world, api, make_deal, submitted):
    partner = api("partner_a_admin")
    draft = make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Other Customer")
    assert partner.delete(url("detail", draft)).status_code == 204
    assert not Deal.objects.filter(pk=draft.pk).exists()
    response = partner.delete(url("detail", submitted))
    assert response.status_code == 409
    assert response.json() == {"detail": "Only a draft can be deleted.", "status": "submitted", "code": "rule"}
    assert Deal.objects.filter(pk=submitted.pk).exists()


def test_a_submitted_deal_cannot_be_edited(api, submitted):
    response = api("partner_a_admin").patch(url("detail", submitted), {"notes": "x"}, format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert Deal.objects.get(pk=submitted.pk).notes == ""


def test_put_is_not_offered(api, world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    assert api("partner_a_admin").put(url("detail", deal), DRAFT, format="json").status_code == 405


# --- staff decisions ---------------------------------------------------------------------------


def test_reject_gives_the_partner_the_reason(world, api, submitted):
    response = post(api("cam_a"), "reject", submitted, {"reason": "Existing direct customer."})
    assert response.status_code == 200, response.json()
    data = api("partner_a_admin").get(url("detail", submitted)).json()
    assert data["status"] == "rejected" and data["decision_reason"] == "Existing direct customer."
    assert data["decision_state"] == "met"


def _conflicting_pair(world, make_deal):
    first = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    second = make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    assert second.conflict_flag
    return first, second


def test_approve_can_reject_the_conflicting_registrations(world, api, make_deal):
    first, second = _conflicting_pair(world, make_deal)
    response = post(api("channel_manager"), "approve", first, {"reject_conflicting": True})
    assert response.status_code == 200, response.json()
    assert Deal.objects.get(pk=second.pk).status == DealStatus.REJECTED


def test_reject_can_reject_the_conflicting_registrations(world, api, make_deal):
    first, second = _conflicting_pair(world, make_deal)
    response = post(api("channel_manager"), "reject", second, {"reason": "Duplicate.", "reject_conflicting": True})
    assert response.status_code == 200, response.json()
    assert Deal.objects.get(pk=first.pk).status == DealStatus.REJECTED


def test_the_partner_sees_a_conflict_only_as_a_review_under_way(world, api, make_deal):
    first, second = _conflicting_pair(world, make_deal)
    response = api("partner_b_user").get(url("detail", second))
    body = response.content.decode()
    data = response.json()
    assert data["conflict_review"] == "Conflict review under way"
    for staff_only in ("conflict_flag", "conflict_check_failed", "awaiting_second_approval"):
        assert staff_only not in data
    assert world["partner_a"].name not in body and f'"id": {first.pk}' not in body
    assert data["partner"] == world["partner_b"].pk
    staff = api("channel_manager").get(url("detail", second)).json()
    assert staff["conflict_flag"] is True and staff["conflict_review"] == "Conflict review under way"
    listed = api("partner_b_user").get(url("list")).json()["results"]
    assert [row["id"] for row in listed] == [second.pk]


def test_second_approval_from_the_same_person_is_409(world, api, submitted):
    settings = program_settings(world["partner_a"].program)
    settings.second_approval_amount = Decimal("10")
    settings.save()
    cam = api("cam_a")
    response = post(cam, "approve", submitted)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert response.json()["awaiting_second_approval"] is True
    response = post(cam, "approve", submitted)
    assert_conflict(response, "The second approval must come from another person.", "submitted")
    response = post(api("channel_manager"), "approve", submitted)
    assert response.status_code == 200 and response.json()["status"] == "approved"


# --- roles and scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(VISIBLE_PARTNERS))
def test_the_list_is_scoped_per_role(world, api, make_deal, role):
    mine = {
        "partner_a": [
            make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_company=f"A {n}")
            for n in range(2)
        ],
        "partner_b": [make_deal(world["partner_b_user"], world["partner_b"], submit=True, customer_company="B 1")],
    }
    data = api(role).get(url("list")).json()
    expected = {deal.pk for name in VISIBLE_PARTNERS[role] for deal in mine[name]}
    assert data["count"] == len(expected)
    assert {row["id"] for row in data["results"]} == expected


@pytest.mark.parametrize("role", ["partner_b_user", "cam_other"])
def test_out_of_scope_is_404_like_a_missing_deal(world, api, submitted, role):
    client = api(role)
    missing = client.get("/api/v1/deals/999999/")
    assert client.get(url("detail", submitted)).json() == missing.json()
    assert client.get(url("detail", submitted)).status_code == missing.status_code == 404
    for name in ("submit", "answer", "approve", "reject", "request-info", "close-won"):
        assert post(client, name, submitted, {"answer": "x", "question": "x", "reason": "x"}).status_code == 404
    assert client.patch(url("detail", submitted), {"notes": "x"}, format="json").status_code == 404
    assert client.delete(url("detail", submitted)).status_code == 404
    assert Deal.objects.get(pk=submitted.pk).status == DealStatus.SUBMITTED
    assert AuditEvent.objects.filter(action="access.denied", actor=world[role]).exists()


@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "9" * 30])
def test_a_malformed_deal_id_is_404(api, world, pk):
    assert api("channel_manager").get(f"/api/v1/deals/{pk}/").status_code == 404
    assert api("cam_a").post(f"/api/v1/deals/{pk}/approve/", {}, format="json").status_code == 404


def test_anonymous_is_401(api, submitted):
    assert api().get(url("list")).status_code == 401
    assert post(api(), "approve", submitted).status_code == 401


@pytest.mark.parametrize("role", ["cam_a", "channel_manager", "executive"])
def test_staff_do_not_act_for_the_partner(world, api, submitted, role):
    client = api(role)
    assert client.post(url("list"), DRAFT, format="json").status_code == 403
    assert post(client, "answer", submitted, {"answer": "x"}).status_code == 403
    assert post(client, "close-lost", submitted, {"reason": "x"}).status_code == 403
    assert not Deal.objects.exclude(pk=submitted.pk).exists()


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales", "executive"])
def test_only_approvers_decide(world, api, submitted, role):
    client = api(role)
    for name, data in (
        ("approve", {}),
        ("reject", {"reason": "x"}),
        ("request-info", {"question": "x"}),
        ("extension-decision", {"approve": True}),
    ):
        response = post(client, name, submitted, data)
        assert response.status_code == 403, name
        assert response.json()["detail"]
    assert Deal.objects.get(pk=submitted.pk).status == DealStatus.SUBMITTED


def test_users_of_an_inactive_partner_cannot_register(world, api):
    from partners.services import partner_set_active

    partner_set_active(actor=world["channel_manager"], partner=world["partner_a"], active=False)
    user = type(world["partner_a_admin"]).objects.get(pk=world["partner_a_admin"].pk)
    response = api(user=user).post(url("list"), DRAFT, format="json")
    assert response.status_code == 403
    assert not Deal.objects.exists()


# --- fields a partner never sets ---------------------------------------------------------------

PROTECTED = {
    "status": "approved",
    "partner": 1,
    "approved_at": "2030-01-01T00:00:00Z",
    "protected_until": "2031-01-01T00:00:00Z",
    "first_approver": 1,
    "second_approver": 1,
    "conflict_flag": False,
    "customer_key": "BR:other",
    "extensions_used": 0,
    "created_by": 1,
}


@pytest.mark.parametrize("field", sorted(PROTECTED))
def test_protected_fields_are_refused_on_create(world, api, field):
    response = api("partner_a_admin").post(url("list"), {**DRAFT, field: PROTECTED[field]}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["This field is unknown or cannot be set."]}
    assert not Deal.objects.exists()


def test_protected_fields_are_refused_on_update(world, api, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    before = Deal.objects.filter(pk=deal.pk).values().get()
    response = api("partner_a_admin").patch(url("detail", deal), {**PROTECTED, "notes": "changed"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == set(PROTECTED)
    assert Deal.objects.filter(pk=deal.pk).values().get() == before


def test_protected_fields_are_refused_by_actions_too(world, api, make_deal, submitted):
    draft = make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Other Customer")
    response = post(api("partner_a_admin"), "submit", draft, {"status": "approved"})
    assert response.status_code == 400
    assert Deal.objects.get(pk=draft.pk).status == DealStatus.DRAFT
    response = post(api("cam_a"), "approve", submitted, {"protected_until": "2099-01-01T00:00:00Z"})
    assert response.status_code == 400
    assert Deal.objects.get(pk=submitted.pk).status == DealStatus.SUBMITTED


def test_protected_fields_posted_as_a_form_are_refused(world, api):
    response = api("partner_a_admin").post(url("list"), {**DRAFT, "status": "approved"})
    assert response.status_code == 400
    assert "status" in response.json()
    assert not Deal.objects.exists()


# --- 409: the deal's status no longer allows it ------------------------------------------------


def test_a_second_approval_of_a_decided_deal_is_409(world, api, submitted):
    assert post(api("cam_a"), "approve", submitted).status_code == 200
    response = post(api("channel_manager"), "approve", submitted)
    assert_conflict(response, "A deal registration that is approved cannot become approved.", "approved")
    assert AuditEvent.objects.filter(action="deal.approved", object_id=str(submitted.pk)).count() == 1


@pytest.mark.parametrize(
    ("role", "name", "data"),
    [
        ("cam_a", "approve", {}),
        ("cam_a", "reject", {"reason": "Late."}),
        ("cam_a", "request-info", {"question": "Why?"}),
        ("channel_manager", "extension-decision", {"approve": True}),
        ("partner_a_admin", "submit", {}),
        ("partner_a_admin", "answer", {"answer": "Here."}),
        ("partner_a_admin", "close-won", {"final_amount": "1", "closed_on": YESTERDAY}),
    ],
)
def test_a_transition_the_status_no_longer_allows_is_409(world, api, make_deal, role, name, data):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    services.deal_reject(actor=world["cam_a"], deal=deal, reason="Already decided.")
    response = post(api(role), name, deal, data)
    assert response.status_code == 409, response.json()
    assert response.json()["status"] == "rejected" and response.json()["detail"]


def test_a_repeated_submit_is_409(world, api, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    client = api("partner_a_admin")
    assert post(client, "submit", deal).status_code == 200
    response = post(client, "submit", deal)
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"
    assert Deadline.objects.filter(object_id=deal.pk, kind=services.DECISION_KIND).count() == 1


def test_the_409_message_is_translated(world, api, approved):
    response = post(api("channel_manager"), "approve", approved, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 409
    with translation.override("fr"):
        expected = translation.gettext("A deal registration that is %(current)s cannot become %(target)s.") % {
            "current": str(DealStatus.APPROVED.label),
            "target": str(DealStatus.APPROVED.label),
        }
    assert expected.startswith("Un enregistrement")
    assert response.json()["detail"] == expected


def test_a_deal_deleted_meanwhile_is_404_not_500(world, api, make_deal, monkeypatch):
    from deals.api import DealViewSet

    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    stale = Deal.objects.get(pk=deal.pk)
    Deal.objects.filter(pk=deal.pk).delete()
    monkeypatch.setattr(DealViewSet, "get_object", lambda self: stale)
    client = api("partner_a_admin")
    assert client.delete(url("detail", stale)).status_code == 404
    assert post(client, "submit", stale).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_approvals_one_200_one_409(make_deal):
    partner = factories.PartnerFactory(name="Reseller")
    cam = factories.staff_user(StaffRole.CAM, partners=[partner])
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    deal = make_deal(factories.partner_user(partner), partner, submit=True)

    def approve_as(user):
        def go():
            response = signed_in(user).post(url("approve", deal), {}, format="json")
            return response.status_code, response.json()

        return go

    results = run_together([approve_as(cam), approve_as(manager)])
    assert sorted(code for code, _body in results) == [200, 409], results
    conflict = next(body for code, body in results if code == 409)
    assert conflict["status"] == "approved" and conflict["detail"]
    assert Deal.objects.get(pk=deal.pk).status == DealStatus.APPROVED
    assert AuditEvent.objects.filter(action="deal.approved", object_id=str(deal.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_approve_and_reject_at_once_one_wins(make_deal):
    partner = factories.PartnerFactory(name="Reseller")
    cam = factories.staff_user(StaffRole.CAM, partners=[partner])
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    deal = make_deal(factories.partner_user(partner), partner, submit=True)

    def act(user, name, data):
        def go():
            return signed_in(user).post(url(name, deal), data, format="json").status_code

        return go

    results = run_together([act(cam, "approve", {}), act(manager, "reject", {"reason": "No."})])
    assert sorted(results) == [200, 409]
    assert Deal.objects.get(pk=deal.pk).status in (DealStatus.APPROVED, DealStatus.REJECTED)


# --- bad input: 400 with a message, never 500 --------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "1e15"}, "amount"),
        ({"amount": "999999999999999.99"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"amount": ["1"]}, "amount"),
        ({"amount": None}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": 5}, "currency"),
        ({"expected_close_date": "2030-02-30"}, "expected_close_date"),
        ({"expected_close_date": "tomorrow"}, "expected_close_date"),
        ({"expected_close_date": 20300131}, "expected_close_date"),
        ({"expected_close_date": None}, "expected_close_date"),
        ({"expected_close_date": "2000-01-01"}, "expected_close_date"),
        ({"products": [999_999]}, "products"),
        ({"products": ["abc"]}, "products"),
        ({"products": [10**30]}, "products"),
        ({"products": "1"}, "products"),
        ({"products": list(range(1, 100))}, "products"),
        ({"customer_company": ""}, "customer_company"),
        ({"customer_company": "..."}, "customer_company"),
        ({"customer_company": "x" * 500}, "customer_company"),
        ({"customer_company": {"a": 1}}, "customer_company"),
        ({"customer_country": "Brazil"}, "customer_country"),
        ({"customer_country": "ZZ"}, "customer_country"),
        ({"customer_email": "not-an-email"}, "customer_email"),
        ({"notes": "x" * 6000}, "notes"),
    ],
)
def test_bad_draft_input_is_400_with_a_message(world, api, changes, field):
    response = api("partner_a_admin").post(url("list"), {**DRAFT, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()[field]
    assert not Deal.objects.exists()


@pytest.mark.parametrize("missing", ["customer_company", "customer_country", "amount", "expected_close_date"])
def test_required_draft_fields(world, api, missing):
    data = {key: value for key, value in DRAFT.items() if key != missing}
    response = api("partner_a_admin").post(url("list"), data, format="json")
    assert response.status_code == 400
    assert response.json() == {missing: ["This field is required."]}


def test_an_absurd_json_number_is_400(world, api):
    body = json.dumps(DRAFT).replace('"1000.00"', "1e400")
    response = api("partner_a_admin").post(url("list"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body contains a number too large to be read."}


def test_an_inactive_product_is_refused(world, api):
    product = Product.objects.create(name_en="Legacy", is_active=False)
    response = api("partner_a_admin").post(url("list"), {**DRAFT, "products": [product.pk]}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "products": [f"These products do not exist or are no longer offered: {product.pk}."],
        "code": "rule",
    }


@pytest.mark.parametrize("body", ["{not json", '{"amount": "1"', "[1, 2", "\xff\xfe", "NaN"])
def test_malformed_json_is_400(world, api, body):
    response = api("partner_a_admin").post(url("list"), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body could not be read. Send well-formed JSON."}


@pytest.mark.parametrize("body", ["[]", '"x"', "null", "5"])
def test_json_of_the_wrong_shape_is_400(world, api, submitted, body):
    client = api("partner_a_admin")
    assert client.post(url("list"), body, content_type="application/json").status_code == 400
    assert client.post(url("answer", submitted), body, content_type="application/json").status_code == 400
    assert api("cam_a").post(url("approve", submitted), body, content_type="application/json").status_code == 400
    assert Deal.objects.count() == 1


@pytest.mark.parametrize(
    ("role", "name", "data", "field"),
    [
        ("partner_a_admin", "answer", {}, "answer"),
        ("partner_a_admin", "answer", {"answer": ""}, "answer"),
        ("partner_a_admin", "answer", {"answer": "   "}, "answer"),
        ("partner_a_admin", "answer", {"answer": ["a"]}, "answer"),
        ("cam_a", "request-info", {"question": ""}, "question"),
        ("cam_a", "request-info", {"question": "x" * 6000}, "question"),
        ("cam_a", "reject", {}, "reason"),
        ("cam_a", "reject", {"reason": "x", "reject_conflicting": "maybe"}, "reject_conflicting"),
        ("cam_a", "approve", {"reject_conflicting": [1]}, "reject_conflicting"),
        ("cam_a", "extension-decision", {}, "approve"),
        ("cam_a", "extension-decision", {"approve": "maybe"}, "approve"),
    ],
)
def test_bad_action_input_on_a_submitted_deal_is_400(world, api, submitted, role, name, data, field):
    response = post(api(role), name, submitted, data)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Deal.objects.get(pk=submitted.pk).status == DealStatus.SUBMITTED


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("progress", {}, "stage"),
        ("progress", {"stage": "won"}, "stage"),
        ("progress", {"amount": "1e20"}, "amount"),
        ("progress", {"amount": "-1"}, "amount"),
        ("close-won", {"final_amount": "1"}, "closed_on"),
        ("close-won", {"final_amount": "abc", "closed_on": YESTERDAY}, "final_amount"),
        ("close-won", {"final_amount": "10", "closed_on": "01/02/2030"}, "closed_on"),
        ("close-won", {"final_amount": "10", "closed_on": "2999-01-01"}, "closed_on"),
        ("close-lost", {"reason": ""}, "reason"),
        ("request-extension", {"reason": "x" * 6000}, "reason"),
    ],
)
def test_bad_action_input_on_an_approved_deal_is_400(world, api, approved, name, data, field):
    response = post(api("partner_a_admin"), name, approved, data)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Deal.objects.get(pk=approved.pk).status == DealStatus.APPROVED


def test_actions_accept_form_posts(world, api, submitted):
    response = api("cam_a").post(url("request-info", submitted), {"question": "Who signs?"})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "info_requested"


def test_field_errors_are_translated(world, api):
    response = api("partner_a_admin").post(
        url("list"), {**DRAFT, "amount": "-5"}, format="json", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    message = response.json()["amount"][0]
    assert message.startswith("Assurez-vous") and "Ensure" not in message


# --- list: filters and query budget ------------------------------------------------------------


def test_filter_by_status_and_search_by_customer(world, api, make_deal):
    admin, partner = world["partner_a_admin"], world["partner_a"]
    draft = make_deal(admin, partner, customer_company="Banco Horizonte S.A.", customer_email="")
    submitted = make_deal(admin, partner, customer_company="Acme Soluções Ltda.", submit=True)
    client = api("partner_a_admin")

    def ids(**params):
        return listed_ids(client, url("list"), **params)

    assert ids(status="draft") == {draft.pk}
    assert ids(status=["draft", "submitted"]) == {draft.pk, submitted.pk}
    assert ids(search="horizonte") == {draft.pk}
    assert ids(search="soluções") == {submitted.pk}
    assert ids(search="SOLUCOES") == {submitted.pk}
    assert ids(search="acme", status="draft") == set()
    assert ids(search="  ") == {draft.pk, submitted.pk}
    assert ids(search="buyer@acme") == {submitted.pk}
    assert ids(status="open") == {submitted.pk}
    response = client.get(url("list"), {"status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()
    response = client.get(url("list"), {"search": "x" * 201})
    assert response.status_code == 400 and "search" in response.json()


def test_list_is_paginated(world, api, make_deal):
    for n in range(3):
        make_deal(world["partner_a_admin"], world["partner_a"], customer_company=f"Customer {n}")
    data = api("partner_a_admin").get(url("list"), {"limit": 2}).json()
    assert data["count"] == 3 and len(data["results"]) == 2 and data["next"]


def _deals(world, make_deal, count: int, start: int = 0):
    products = [Product.objects.create(name_en=f"Product {n}") for n in range(2)]
    admin, partner = world["partner_a_admin"], world["partner_a"]
    for n in range(start, start + count):
        make_deal(
            admin,
            partner,
            customer_company=f"Customer Number {n}",
            customer_email=f"buyer@customer{n}.example",
            products=products,
            submit=n % 2 == 0,
        )


@pytest.mark.parametrize("role", ["partner_a_sales", "cam_a", "channel_manager"])
def test_list_query_count_does_not_grow_with_rows(world, api, make_deal, role):
    small, large = queries_before_and_after(
        api(role),
        url("list"),
        rows=lambda: _deals(world, make_deal, 3),
        more_rows=lambda: _deals(world, make_deal, 27, start=3),
    )
    assert Deal.objects.count() == 30
    assert large == small
    assert small <= 5


# --- schema and browsable API ------------------------------------------------------------------


def test_the_schema_documents_every_deal_route(client, staff_mfa):
    world = staff_mfa
    client.force_login(world["channel_manager"])
    body = client.get(reverse("api_schema")).content.decode()
    for path in (
        "/api/v1/deals/",
        "/api/v1/deals/{id}/",
        *(
            f"/api/v1/deals/{{id}}/{name}/"
            for name in (
                "submit",
                "answer",
                "request-extension",
                "progress",
                "close-won",
                "close-lost",
                "approve",
                "reject",
                "request-info",
                "extension-decision",
            )
        ),
    ):
        assert f"  {path}:" in body, path


def test_the_schema_of_the_deals_api_has_no_warnings(db):
    schema, messages = generated_schema()
    assert not [message for message in messages if "deals" in message.lower()], messages
    approve = schema["paths"]["/api/v1/deals/{id}/approve/"]["post"]
    assert set(approve["responses"]) >= {"200", "400", "403", "404", "409"}
    assert approve["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApproveRequest")


def test_the_browsable_api_renders(world, api, submitted):
    client = api("cam_a")
    assert client.get(url("list"), HTTP_ACCEPT="text/html").status_code == 200
    assert client.get(url("detail", submitted), HTTP_ACCEPT="text/html").status_code == 200
    response = client.post(url("request-info", submitted), {"question": "Who?"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 200


def test_an_oversize_body_is_413_and_too_many_fields_400(world, api, settings):
    client = api("partner_a_admin")
    body = json.dumps({**DRAFT, "notes": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)})
    response = client.post(url("list"), body, content_type="application/json")
    assert response.status_code == 413
    fields = "&".join(f"f{index}=1" for index in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.post(url("list"), fields, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Deal.objects.exists()


@pytest.mark.parametrize(("language", "label"), [("en", "Draft"), ("pt-br", "Rascunho"), ("fr", "Brouillon")])
def test_status_label_is_the_capitalised_label_in_the_request_language(world, api, make_deal, language, label):
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    client = api("partner_a_admin")
    detail = client.get(url("detail", deal), HTTP_ACCEPT_LANGUAGE=language).json()
    assert (detail["status"], detail["status_label"]) == ("draft", label)
    listed = client.get(url("list"), HTTP_ACCEPT_LANGUAGE=language).json()["results"]
    assert {(row["status"], row["status_label"]) for row in listed} == {("draft", label)}
