"""/api/v1/leads/: the partner flow, staff intake and assignment, scope, the preview before
acceptance, protected fields, 409 on lost races, bad input and the query budget of the list."""

import json

import pytest
from django.urls import reverse

from catalogue.models import Product
from deals.models import Deal, DealStatus
from leads import services
from leads.models import AssignmentOutcome, Lead, LeadAssignment, LeadStatus
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from tests import factories
from tests.helpers.api import assert_conflict, generated_schema, listed_ids, signed_in
from tests.helpers.concurrency import run_together
from tests.helpers.queries import queries_before_and_after
from tests.leads.conftest import LEAD_DEFAULTS

PREVIEW = {
    "id",
    "status",
    "status_label",
    "company",
    "country",
    "industry",
    "product",
    "product_name",
    "rating",
    "acceptance_due_at",
    "acceptance_state",
}
CONTACT = {"contact_name", "email", "phone", "notes", "source", "city", "region"}
STAFF_ONLY = {"partner", "partner_name", "rule", "rule_name", "reassignments", "created_by", "created_at"}
CONVERT = {"amount": "5000.00", "currency": "BRL", "expected_close_date": "2031-06-30", "notes": "Demo done."}


def url(name, lead=None):
    return reverse(f"lead-{name}", args=[lead.pk] if lead is not None else [])


def post(client, name, lead, data=None, **extra):
    return client.post(url(name, lead), data or {}, format="json", **extra)


@pytest.fixture
def marketing(db):
    return factories.staff_user(StaffRole.MARKETING)


@pytest.fixture
def new_lead(world, make_lead):
    """A pool lead; ``new_lead(partner)`` offers it to the partner by hand (channel manager)."""

    def make(partner=None, **fields):
        lead = make_lead(**fields)
        if partner is not None:
            lead = services.lead_assign_manually(actor=world["channel_manager"], lead=lead, partner=partner)
        return lead

    return make


@pytest.fixture
def offered(world, new_lead):
    return new_lead(world["partner_a"])


@pytest.fixture
def accepted(world, offered):
    return services.lead_accept(actor=world["partner_a_sales"], lead=offered)


def status_of(lead):
    return Lead.objects.values_list("status", flat=True).get(pk=lead.pk)


# --- the partner flow --------------------------------------------------------------------------


def test_partner_flow_accept_advance_convert(world, api, new_lead):
    product = Product.objects.create(name_en="Firewall")
    lead = new_lead(world["partner_a"], product=product, notes="Wants a demo")
    client = api("partner_a_sales")

    listed = client.get(url("list")).json()
    assert [row["id"] for row in listed["results"]] == [lead.pk]
    row = listed["results"][0]
    assert set(row) == PREVIEW
    assert row["status"] == "offered" and row["acceptance_state"] == "open" and row["acceptance_due_at"]
    assert row["product"] == product.pk and row["product_name"] == "Firewall"

    response = post(client, "accept", lead)
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["status"] == "accepted" and data["accepted_at"]
    assert data["contact_name"] == "Maria Souza" and data["email"] == "maria@cliente.com.br"
    assert data["acceptance_state"] == "met" and data["first_contact_state"] == "open"
    assert not STAFF_ONLY & set(data)

    response = post(client, "advance", lead, {"stage": "contacted"})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "contacted" and response.json()["first_contact_state"] == "met"
    response = post(client, "advance", lead, {"stage": "qualified"})
    assert response.status_code == 200 and response.json()["status"] == "qualified"

    response = post(client, "convert", lead, CONVERT)
    assert response.status_code == 201, response.json()
    data = response.json()
    deal = Deal.objects.get(pk=data["deal"])
    assert data["deal_url"].endswith(f"/api/v1/deals/{deal.pk}/") and response["Location"] == data["deal_url"]
    assert data["lead"]["status"] == "converted" and data["lead"]["deal"] == deal.pk
    assert (deal.status, deal.partner, deal.created_by) == (
        DealStatus.DRAFT,
        world["partner_a"],
        world["partner_a_sales"],
    )
    assert deal.lead.pk == lead.pk and str(deal.amount) == "5000.00" and deal.currency == "BRL"
    assert "Demo done." in deal.notes and "Wants a demo" in deal.notes
    assert list(deal.products.all()) == [product]
    assert client.get(reverse("deal-detail", args=[deal.pk])).status_code == 200
    actions = set(AuditEvent.objects.filter(object_id=str(lead.pk)).values_list("action", flat=True))
    assert {"lead.accepted", "lead.contacted", "lead.qualified", "lead.converted"} <= actions


def test_decline_with_a_reason_hands_the_lead_on(world, api, offered):
    client = api("partner_a_admin")
    response = post(client, "decline", offered, {"reason": "no_capacity", "note": "Full this month."})
    assert response.status_code == 204, response.content
    assignment = LeadAssignment.objects.get(lead=offered, partner=world["partner_a"])
    assert (assignment.outcome, assignment.decline_reason) == (AssignmentOutcome.DECLINED, "no_capacity")
    assert assignment.note == "Full this month."
    assert status_of(offered) == LeadStatus.POOL  # no rule: back to the pool
    assert client.get(url("detail", offered)).status_code == 404


@pytest.mark.parametrize("data", [{}, {"reason": ""}, {"reason": "bored"}, {"reason": ["no_capacity"]}])
def test_decline_needs_a_reason_from_the_list(world, api, offered, data):
    response = post(api("partner_a_sales"), "decline", offered, data)
    assert response.status_code == 400 and "reason" in response.json()
    assert status_of(offered) == LeadStatus.OFFERED


def test_lost_needs_a_reason(world, api, accepted):
    client = api("partner_a_sales")
    for data in ({}, {"reason": ""}, {"reason": "   "}):
        response = post(client, "lost", accepted, data)
        assert response.status_code == 400 and "reason" in response.json()
    response = post(client, "lost", accepted, {"reason": "Chose a competitor."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "lost" and response.json()["lost_reason"] == "Chose a competitor."


# --- staff: intake, assignment, explanation ----------------------------------------------------

NEW = {**LEAD_DEFAULTS, "email": "new@cliente.example"}


@pytest.mark.parametrize("role", ["marketing", "channel_manager"])
def test_staff_create_a_pool_lead(world, api, marketing, role):
    user = marketing if role == "marketing" else world[role]
    response = api(user=user).post(url("list"), NEW, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    lead = Lead.objects.get(pk=data["id"])
    assert lead.status == LeadStatus.POOL and lead.partner is None and lead.created_by == user
    assert data["status"] == "pool" and data["partner"] is None and data["email"] == "new@cliente.example"
    assert data["created_by"] == user.pk and data["acceptance_state"] is None
    assert AuditEvent.objects.filter(action="lead.created", object_id=str(lead.pk)).exists()


def test_create_and_assign_by_the_rules_then_explain(world, api, make_rule):
    make_rule("Brazil", countries=["BR"], strategy="round_robin")
    manager = api("channel_manager")
    response = manager.post(url("list"), {**NEW, "assign": True}, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["status"] == "offered" and data["partner"] in (world["partner_a"].pk, world["partner_b"].pk)
    assert data["rule_name"] == "Brazil"
    lead = Lead.objects.get(pk=data["id"])
    response = manager.get(url("explanation", lead))
    assert response.status_code == 200, response.json()
    (entry,) = response.json()
    assert entry["rule_name"] == "Brazil" and entry["strategy"] == "round_robin"
    assert entry["reason"]["code"] == "next_in_turn" and entry["candidates_count"] == 2
    assert {c["partner"] for c in entry["candidates"]} == {world["partner_a"].pk, world["partner_b"].pk}
    assert entry["assigned_by"] == world["channel_manager"].email and entry["outcome"] == ""


def test_assign_a_pool_lead_by_the_rules(world, api, new_lead, make_rule):
    lead = new_lead()
    manager = api("channel_manager")
    response = post(manager, "assign", lead)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pool"  # no rule yet: it stays in the pool
    make_rule("Everyone", partner_countries=["FR"])
    response = post(manager, "assign", lead)
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "offered" and response.json()["partner"] == world["partner_b"].pk
    response = post(manager, "assign", lead)
    assert response.status_code == 409
    assert response.json()["status"] == "offered" and response.json()["detail"]


def test_reassign_to_a_partner_then_by_the_rules_then_return_to_pool(world, api, offered, make_rule):
    cam, manager = api("cam_a"), api("channel_manager")
    response = post(manager, "reassign", offered, {"partner": world["partner_b"].pk, "note": "Key account."})
    assert response.status_code == 200, response.json()
    assert response.json()["partner"] == world["partner_b"].pk and response.json()["status"] == "offered"
    assert api("partner_a_sales").get(url("detail", offered)).status_code == 404
    assert api("partner_b_user").get(url("detail", offered)).status_code == 200
    assert cam.get(url("detail", offered)).status_code == 404

    response = post(manager, "reassign", offered, {"partner": world["partner_a"].pk})
    assert response.status_code == 200 and response.json()["partner"] == world["partner_a"].pk
    make_rule("Everyone")
    response = post(cam, "reassign", offered)  # by the rules, within the CAM's partners: none left
    assert response.status_code == 204, response.content
    assert status_of(offered) == LeadStatus.POOL

    response = post(manager, "reassign", offered)  # the rules, from the pool
    assert response.status_code == 200 and response.json()["status"] == "offered"
    assert response.json()["rule_name"] == "Everyone"
    response = post(manager, "return-to-pool", offered, {"reason": "Campaign paused."})
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pool" and response.json()["partner"] is None
    history = manager.get(url("explanation", offered)).json()
    assert [entry["outcome"] for entry in history] == ["returned", "recalled", "recalled", "recalled"]
    assert history[-2]["reason"] == {"code": "manual"} and history[-2]["explanation"]["note"] == "Key account."
    assert history[0]["reason"]["code"] == "next_in_turn" and history[0]["rule_name"] == "Everyone"


def test_a_cam_reassigns_only_to_their_partners(world, api, offered):
    response = post(api("cam_a"), "reassign", offered, {"partner": world["partner_b"].pk})
    assert response.status_code == 400
    assert response.json() == {"partner": ["Choose an active partner you look after."], "code": "rule"}
    assert Lead.objects.get(pk=offered.pk).partner_id == world["partner_a"].pk


def test_a_cam_returns_a_lead_to_the_pool_and_loses_sight_of_it(world, api, offered):
    response = post(api("cam_a"), "return-to-pool", offered)
    assert response.status_code == 204
    assert status_of(offered) == LeadStatus.POOL


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales", "executive"])
def test_only_assigners_assign(world, api, offered, role):
    client = api(role)
    for name, data in (("assign", {}), ("reassign", {}), ("return-to-pool", {})):
        response = post(client, name, offered, data)
        assert response.status_code == 403, name
    assert Lead.objects.get(pk=offered.pk).partner_id == world["partner_a"].pk


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales", "cam_a", "executive"])
def test_only_staff_with_the_permission_create(world, api, role):
    response = api(role).post(url("list"), NEW, format="json")
    assert response.status_code == 403
    assert not Lead.objects.exists()


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales"])
def test_partners_never_read_explanations(world, api, offered, role):
    response = api(role).get(url("explanation", offered))
    assert response.status_code == 403
    assert world["partner_b"].name not in response.content.decode()


@pytest.mark.parametrize("role", ["cam_a", "channel_manager", "executive"])
def test_staff_do_not_answer_for_the_partner(world, api, offered, role):
    client = api(role)
    for name, data in (("accept", {}), ("decline", {"reason": "other"}), ("advance", {"stage": "contacted"})):
        assert post(client, name, offered, data).status_code == 403, name
    assert status_of(offered) == LeadStatus.OFFERED


# --- scope -------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["partner_b_user", "cam_other"])
def test_out_of_scope_is_404_like_a_missing_lead(world, api, accepted, role):
    client = api(role)
    missing = client.get("/api/v1/leads/999999/")
    assert client.get(url("detail", accepted)).json() == missing.json()
    assert client.get(url("detail", accepted)).status_code == missing.status_code == 404
    assert client.get(url("explanation", accepted)).status_code == 404
    for name in ("accept", "decline", "advance", "lost", "convert", "assign", "reassign", "return-to-pool"):
        assert post(client, name, accepted, {"reason": "other"}).status_code == 404, name
    assert status_of(accepted) == LeadStatus.ACCEPTED
    assert AuditEvent.objects.filter(action="access.denied", actor=world[role]).exists()


@pytest.mark.parametrize(
    ("role", "sees_pool"),
    [("partner_a_admin", False), ("cam_a", False), ("channel_manager", True), ("executive", True)],
)
def test_the_pool_is_for_staff_who_see_every_partner(world, api, new_lead, offered, role, sees_pool):
    pool = new_lead(email="pool@cliente.example")
    client = api(role)
    ids = {row["id"] for row in client.get(url("list")).json()["results"]}
    assert ids == ({offered.pk, pool.pk} if sees_pool else {offered.pk})
    assert client.get(url("detail", pool)).status_code == (200 if sees_pool else 404)


def test_the_list_filters_by_status(world, api, new_lead, accepted):
    offered = new_lead(world["partner_a"], email="other@cliente.example")
    client = api("partner_a_sales")

    def ids(**params):
        return listed_ids(client, url("list"), **params)

    assert ids(status="offered") == {offered.pk}
    assert ids(status="open") == {accepted.pk}
    assert ids(status=["offered", "accepted"]) == {offered.pk, accepted.pk}
    assert ids(status="closed") == set()
    response = client.get(url("list"), {"status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()


def test_anonymous_is_401(api, offered):
    assert api().get(url("list")).status_code == 401
    assert post(api(), "accept", offered).status_code == 401


@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "9" * 30])
def test_a_malformed_lead_id_is_404(api, world, pk):
    assert api("channel_manager").get(f"/api/v1/leads/{pk}/").status_code == 404
    assert api("partner_a_sales").post(f"/api/v1/leads/{pk}/accept/", {}, format="json").status_code == 404


# --- the preview before acceptance -------------------------------------------------------------


def test_before_acceptance_a_partner_reads_only_the_preview(world, api, offered):
    client = api("partner_a_sales")
    data = client.get(url("detail", offered)).json()
    assert set(data) == PREVIEW
    body = client.get(url("detail", offered)).content.decode()
    for secret in ("Maria Souza", "maria@cliente.com.br", "5555", "webinar", "São Paulo"):
        assert secret not in body
    post(client, "accept", offered)
    data = client.get(url("detail", offered)).json()
    assert CONTACT <= set(data) and not STAFF_ONLY & set(data)
    staff = api("cam_a").get(url("detail", offered)).json()
    assert (CONTACT | STAFF_ONLY) <= set(staff)


# --- fields nobody sets ------------------------------------------------------------------------

PROTECTED = {
    "status": "accepted",
    "partner": 1,
    "rule": 1,
    "reassignments": 0,
    "created_by": 1,
    "offered_at": "2030-01-01T00:00:00Z",
    "accepted_at": "2030-01-01T00:00:00Z",
    "deal": 1,
    "explanation": {"reason": "x"},
}


@pytest.mark.parametrize("field", sorted(PROTECTED))
def test_protected_fields_are_refused_on_create(world, api, field):
    response = api("channel_manager").post(url("list"), {**NEW, field: PROTECTED[field]}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: ["This field is unknown or cannot be set."]}
    assert not Lead.objects.exists()


def test_protected_fields_are_refused_by_actions(world, api, offered):
    before = Lead.objects.filter(pk=offered.pk).values().get()
    for role, name, data in (
        ("partner_a_sales", "accept", {"status": "qualified"}),
        ("partner_a_sales", "decline", {"reason": "other", "partner": world["partner_a"].pk}),
        ("partner_a_sales", "advance", {"stage": "contacted", "contacted_at": "2030-01-01T00:00:00Z"}),
        ("channel_manager", "assign", {"partner": world["partner_a"].pk}),
        ("channel_manager", "reassign", {"partner": world["partner_b"].pk, "status": "accepted"}),
        ("channel_manager", "return-to-pool", {"rule": 1}),
    ):
        response = post(api(role), name, offered, data)
        assert response.status_code == 400, (name, response.content)
        assert "This field is unknown or cannot be set." in json.dumps(response.json())
    assert Lead.objects.filter(pk=offered.pk).values().get() == before


# --- 409: the lead's status no longer allows it ------------------------------------------------


def test_a_double_accept_is_409(world, api, offered):
    assert post(api("partner_a_sales"), "accept", offered).status_code == 200
    response = post(api("partner_a_admin"), "accept", offered)
    assert_conflict(response, "A lead that is accepted cannot become accepted.", "accepted")
    assert AuditEvent.objects.filter(action="lead.accepted", object_id=str(offered.pk)).count() == 1


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("decline", {"reason": "other"}),
        ("advance", {"stage": "qualified"}),
        ("convert", CONVERT),
    ],
)
def test_a_transition_the_status_no_longer_allows_is_409(world, api, accepted, name, data):
    response = post(api("partner_a_sales"), name, accepted, data)
    assert response.status_code == 409, response.json()
    assert response.json()["status"] == "accepted" and response.json()["detail"]
    assert status_of(accepted) == LeadStatus.ACCEPTED and not Deal.objects.exists()


def test_a_closed_lead_is_409_to_staff_too(world, api, accepted):
    services.lead_mark_lost(actor=world["partner_a_sales"], lead=accepted, reason="No budget.")
    response = post(api("channel_manager"), "return-to-pool", accepted)
    assert response.status_code == 409 and response.json()["status"] == "lost"
    response = post(api("cam_a"), "reassign", accepted)
    assert response.status_code == 409 and response.json()["status"] == "lost"


def test_a_lead_reassigned_away_is_404_to_its_old_partner(world, api, offered):
    services.lead_reassign(actor=world["channel_manager"], lead=offered, partner=world["partner_b"])
    client = api("partner_a_sales")
    assert client.get(url("detail", offered)).status_code == 404
    assert post(client, "accept", offered).status_code == 404
    assert offered.pk not in {row["id"] for row in client.get(url("list")).json()["results"]}


def test_an_accept_racing_a_reassignment_is_409_without_the_new_status(world, api, offered, monkeypatch):
    """The partner's request read the lead before staff took it away: the service refuses under the lock."""
    from leads.api import LeadViewSet

    stale = Lead.objects.get(pk=offered.pk)
    services.lead_reassign(actor=world["channel_manager"], lead=offered, partner=world["partner_b"])
    monkeypatch.setattr(LeadViewSet, "get_object", lambda self: stale)
    response = post(api("partner_a_sales"), "accept", stale)
    assert response.status_code == 409
    assert response.json() == {"detail": "This lead is not assigned to your company.", "status": None, "code": "rule"}
    assert Lead.objects.get(pk=offered.pk).partner_id == world["partner_b"].pk


def test_a_lead_deleted_meanwhile_is_404_not_500(world, api, offered, monkeypatch):
    from leads.api import LeadViewSet

    stale = Lead.objects.get(pk=offered.pk)
    LeadAssignment.objects.filter(lead=offered).delete()
    Lead.objects.filter(pk=offered.pk).delete()
    monkeypatch.setattr(LeadViewSet, "get_object", lambda self: stale)
    assert post(api("partner_a_sales"), "accept", stale).status_code == 404
    assert post(api("channel_manager"), "return-to-pool", stale).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_accepts_one_200_one_409(make_lead):
    partner = factories.PartnerFactory(name="Reseller")
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    users = [factories.partner_user(partner, "sales"), factories.partner_user(partner, "admin")]
    lead = services.lead_assign_manually(actor=manager, lead=make_lead(), partner=partner)

    def accept_as(user):
        def go():
            response = signed_in(user).post(url("accept", lead), {}, format="json")
            return response.status_code, response.json()

        return go

    results = run_together([accept_as(user) for user in users])
    assert sorted(code for code, _body in results) == [200, 409], results
    conflict = next(body for code, body in results if code == 409)
    assert conflict["status"] == "accepted" and conflict["detail"]
    assert AuditEvent.objects.filter(action="lead.accepted", object_id=str(lead.pk)).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_accept_and_a_reassignment_at_once_leave_one_owner(make_lead):
    first = factories.PartnerFactory(name="First")
    second = factories.PartnerFactory(name="Second")
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    user = factories.partner_user(first, "sales")
    lead = services.lead_assign_manually(actor=manager, lead=make_lead(), partner=first)

    def act(actor, name, data):
        def go():
            return signed_in(actor).post(url(name, lead), data, format="json").status_code

        return go

    accept, reassign = run_together([act(user, "accept", {}), act(manager, "reassign", {"partner": second.pk})])
    assert reassign == 200 and accept in (200, 404, 409), (accept, reassign)
    lead.refresh_from_db()
    assert (lead.status, lead.partner_id) == (LeadStatus.OFFERED, second.pk)
    current = LeadAssignment.objects.filter(lead=lead, ended_at__isnull=True)
    assert [a.partner_id for a in current] == [second.pk]


# --- bad input: 400 with a message, never 500 --------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"company": ""}, "company"),
        ({"company": "x" * 500}, "company"),
        ({"company": {"a": 1}}, "company"),
        ({"contact_name": ["x"]}, "contact_name"),
        ({"country": "Brazil"}, "country"),
        ({"country": "ZZ"}, "country"),
        ({"rating": "D"}, "rating"),
        ({"industry": "mining-on-mars"}, "industry"),
        ({"company_size": 5}, "company_size"),
        ({"product": 999_999}, "product"),
        ({"product": "abc"}, "product"),
        ({"product": 10**30}, "product"),
        ({"latitude": 91, "longitude": 0}, "latitude"),
        ({"latitude": "north", "longitude": 0}, "latitude"),
        ({"latitude": 10}, "latitude"),
        ({"longitude": 1e300, "latitude": 0}, "longitude"),
        ({"notes": "x" * 6000}, "notes"),
        ({"assign": "maybe"}, "assign"),
    ],
)
def test_bad_create_input_is_400_with_a_message(world, api, changes, field):
    response = api("channel_manager").post(url("list"), {**NEW, **changes}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()[field]
    assert not Lead.objects.exists()


def test_an_absurd_json_number_is_400(world, api, accepted):
    services.lead_advance(actor=world["partner_a_sales"], lead=accepted, to_status="contacted")
    body = json.dumps(CONVERT).replace('"5000.00"', "1e400")
    response = api("partner_a_sales").post(url("convert", accepted), body, content_type="application/json")
    too_large = {"detail": "The JSON body contains a number too large to be read."}
    assert response.status_code == 400 and response.json() == too_large
    body = json.dumps(NEW).replace('"new@cliente.example"', '"new@cliente.example", "latitude": 1e400, "longitude": 0')
    response = api("channel_manager").post(url("list"), body, content_type="application/json")
    assert response.status_code == 400 and response.json() == too_large
    assert not Deal.objects.exists() and Lead.objects.count() == 1


def test_an_inactive_product_is_refused(world, api):
    product = Product.objects.create(name_en="Legacy", is_active=False)
    response = api("channel_manager").post(url("list"), {**NEW, "product": product.pk}, format="json")
    assert response.status_code == 400
    assert response.json() == {"product": ["Choose a product from the catalogue."], "code": "rule"}


@pytest.mark.parametrize("body", ["{not json", '{"reason": "other"', "[1, 2", "\xff\xfe", "NaN"])
def test_malformed_json_is_400(world, api, offered, body):
    response = api("partner_a_sales").post(url("decline", offered), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The request body could not be read. Send well-formed JSON."}
    assert status_of(offered) == LeadStatus.OFFERED


@pytest.mark.parametrize("body", ["[]", '"x"', "null", "5"])
def test_json_of_the_wrong_shape_is_400(world, api, offered, body):
    assert api("partner_a_sales").post(url("accept", offered), body, content_type="application/json").status_code == 400
    assert api("channel_manager").post(url("list"), body, content_type="application/json").status_code == 400
    assert api("cam_a").post(url("reassign", offered), body, content_type="application/json").status_code == 400
    assert status_of(offered) == LeadStatus.OFFERED and Lead.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "amount"),
        ({**CONVERT, "amount": "1e20"}, "amount"),
        ({**CONVERT, "amount": "-1"}, "amount"),
        ({**CONVERT, "amount": "NaN"}, "amount"),
        ({**CONVERT, "amount": "12.345"}, "amount"),
        ({**CONVERT, "currency": "XYZ"}, "currency"),
        ({**CONVERT, "expected_close_date": "2030-02-30"}, "expected_close_date"),
        ({**CONVERT, "expected_close_date": "2000-01-01"}, "expected_close_date"),
        ({**CONVERT, "notes": "x" * 6000}, "notes"),
    ],
)
def test_bad_convert_input_is_400(world, api, accepted, data, field):
    services.lead_advance(actor=world["partner_a_sales"], lead=accepted, to_status="contacted")
    response = post(api("partner_a_sales"), "convert", accepted, data)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert status_of(accepted) == LeadStatus.CONTACTED and not Deal.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "field"),
    [
        ("advance", {}, "stage"),
        ("advance", {"stage": "converted"}, "stage"),
        ("advance", {"stage": "lost"}, "stage"),
        ("lost", {"reason": ["x"]}, "reason"),
        ("lost", {"reason": "x" * 6000}, "reason"),
    ],
)
def test_bad_action_input_is_400(world, api, accepted, name, data, field):
    response = post(api("partner_a_sales"), name, accepted, data)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert status_of(accepted) == LeadStatus.ACCEPTED


@pytest.mark.parametrize("partner", ["abc", -1, 10**30, 999_999, [1]])
def test_reassign_to_an_unknown_partner_is_400(world, api, offered, partner):
    response = post(api("channel_manager"), "reassign", offered, {"partner": partner})
    assert response.status_code == 400 and "partner" in response.json()
    assert Lead.objects.get(pk=offered.pk).partner_id == world["partner_a"].pk


def test_field_errors_are_translated(world, api, offered):
    response = post(api("partner_a_sales"), "decline", offered, {}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    message = response.json()["reason"][0]
    assert message != "This field is required."


# --- list: query budget ------------------------------------------------------------------------


def _offer_many(world, make_lead, make_rule, count: int, start: int = 0):
    product = Product.objects.filter(name_en="Cloud").first() or Product.objects.create(name_en="Cloud")
    sales = world["partner_a_sales"]
    for n in range(start, start + count):
        lead = services.lead_assign_manually(
            actor=world["channel_manager"],
            lead=make_lead(email=f"buyer{n}@cliente.example", product=product),
            partner=world["partner_a"],
        )
        if n % 2:
            services.lead_accept(actor=sales, lead=lead)


@pytest.mark.parametrize("role", ["partner_a_sales", "cam_a", "channel_manager"])
def test_list_query_count_does_not_grow_with_rows(world, api, make_lead, make_rule, role):
    make_rule("Matrix rule")
    small, large = queries_before_and_after(
        api(role),
        url("list"),
        rows=lambda: _offer_many(world, make_lead, make_rule, 3),
        more_rows=lambda: _offer_many(world, make_lead, make_rule, 27, start=3),
    )
    assert Lead.objects.count() == 30
    assert large == small
    assert small <= 4  # the leads, and their acceptance and first-contact clocks (one query each)


# --- schema and browsable API ------------------------------------------------------------------

ACTIONS = ("accept", "decline", "advance", "lost", "convert", "assign", "reassign", "return-to-pool", "explanation")


def test_the_schema_documents_every_lead_route(client, staff_mfa):
    world = staff_mfa
    client.force_login(world["channel_manager"])
    body = client.get(reverse("api_schema")).content.decode()
    for path in ("/api/v1/leads/", "/api/v1/leads/{id}/", *(f"/api/v1/leads/{{id}}/{name}/" for name in ACTIONS)):
        assert f"  {path}:" in body, path


def test_the_schema_of_the_leads_api_has_no_warnings(db):
    schema, messages = generated_schema()
    ours = ("lead", "status", "stage", "industry", "company_size", "reason", "rating", "strategy", "outcome", "state")
    assert not [message for message in messages if any(word in message.lower() for word in ours)], messages
    convert = schema["paths"]["/api/v1/leads/{id}/convert/"]["post"]
    assert set(convert["responses"]) >= {"201", "400", "403", "404", "409"}
    assert convert["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ConvertRequest")
    decline = schema["paths"]["/api/v1/leads/{id}/decline/"]["post"]
    assert decline["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/DeclineRequest")
    explanation = schema["paths"]["/api/v1/leads/{id}/explanation/"]["get"]
    assert explanation["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"].endswith(
        "/Assignment"
    )
    assert "LeadStatusEnum" in schema["components"]["schemas"]


def test_the_browsable_api_renders(world, api, offered):
    client = api("channel_manager")
    assert client.get(url("list"), HTTP_ACCEPT="text/html").status_code == 200
    assert client.get(url("detail", offered), HTTP_ACCEPT="text/html").status_code == 200
    assert client.get(url("explanation", offered), HTTP_ACCEPT="text/html").status_code == 200
    partner = api("partner_a_sales")
    assert partner.get(url("detail", offered), HTTP_ACCEPT="text/html").status_code == 200
    response = partner.post(url("advance", offered), {"stage": "contacted"}, HTTP_ACCEPT="text/html")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Awaiting acceptance"), ("pt-br", "Aguardando aceite"), ("fr", "En attente d’acceptation")],
)
def test_status_label_is_the_capitalised_label_in_the_request_language(api, offered, language, label):
    detail = api("partner_a_sales").get(url("detail", offered), HTTP_ACCEPT_LANGUAGE=language).json()
    assert (detail["status"], detail["status_label"]) == ("offered", label)
