"""The Django admin of lead distribution: scope, manual intake through the service, the routing
actions (single and bulk, with their refusals), "why this partner?", the clock badge and filter, the
query budget, and the rules and settings admins."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from leads import services
from leads.models import (
    ACCEPTANCE_KIND,
    AssignmentRule,
    AssignmentStrategy,
    Lead,
    LeadAssignment,
    LeadProgramSettings,
    LeadStatus,
    PartnerLocation,
)
from prm.audit.models import AuditEvent
from prm.sla.models import Deadline
from tests.helpers.admin import (
    admin_url,
    bulk_action,
    changelist_without_writes,
    landed_on,
    messages_of,
    post_and_follow,
)
from tests.helpers.queries import queries_before_and_after, statements
from tests.leads.conftest import LEAD_DEFAULTS

CHANGELIST = "admin:leads_lead_changelist"


@pytest.fixture
def other_client(mfa):
    def as_user(user):
        mfa(user)
        other = Client(raise_request_exception=False)
        other.force_login(user)
        return other

    return as_user


@pytest.fixture
def new_lead(world):
    """A pool lead made by the intake service."""
    counter = iter(range(1000))

    def make(**fields):
        number = next(counter)
        data = {**LEAD_DEFAULTS, "email": f"contact{number}@client.example", "company": f"Client {number}", **fields}
        return services.lead_create(actor=world["channel_manager"], **data)

    return make


@pytest.fixture
def offered(world, new_lead):
    """A lead offered by hand to a partner."""

    def make(partner, **fields):
        return services.lead_assign_manually(actor=world["channel_manager"], lead=new_lead(**fields), partner=partner)

    return make


def _shown(response) -> set[str]:
    return {lead.company for lead in response.context["cl"].result_list}


def _status(lead) -> str:
    lead.refresh_from_db()
    return lead.status


# --- Scope -------------------------------------------------------------------------------------


def test_cam_sees_only_the_leads_of_their_partners(world, new_lead, offered, login):
    mine = offered(world["partner_a"], company="Alpha Ltda")
    theirs = offered(world["partner_b"], company="Bravo SARL")
    pool = new_lead(company="Pool Co")
    client = login(world["cam_a"])
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert _shown(response) == {"Alpha Ltda"}
    assert client.get(admin_url(mine)).status_code == 200
    missing = client.get(reverse("admin:leads_lead_change", args=[pool.pk + 1000]))
    for outside in (theirs, pool):
        response = client.get(admin_url(outside))
        assert response.status_code == missing.status_code == 302
        assert response["Location"] == missing["Location"] == reverse("admin:index")
    # Nor can the CAM act on it: the routing routes answer like for a missing lead.
    response = post_and_follow(client, admin_url(theirs, "return"), {"reason": "Not mine"})
    assert landed_on(response) == reverse("admin:index")
    assert _status(theirs) == LeadStatus.OFFERED
    # The partner filter offers only the partners in scope.
    page = client.get(reverse(CHANGELIST))
    partner_filter = next(f for f in page.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "partner")
    assert [name for _pk, name in partner_filter.lookup_choices] == ["Partner A"]


def test_channel_manager_and_executive_see_all_leads_and_the_pool(world, new_lead, offered, login):
    offered(world["partner_a"], company="Alpha Ltda")
    offered(world["partner_b"], company="Bravo SARL")
    new_lead(company="Pool Co")
    for role in ("channel_manager", "executive"):
        response = login(world[role]).get(reverse(CHANGELIST))
        assert _shown(response) == {"Alpha Ltda", "Bravo SARL", "Pool Co"}, role


def test_search_and_filters(world, new_lead, offered, login):
    offered(world["partner_a"], company="Alpha Ltda", country="BR")
    offered(world["partner_b"], company="Bravo SARL", country="FR", email="jean@bravo.example")
    new_lead(company="Pool Co", contact_name="Zé Ninguém")
    client = login(world["channel_manager"])
    url = reverse(CHANGELIST)
    assert _shown(client.get(url, {"q": "bravo.example"})) == {"Bravo SARL"}
    assert _shown(client.get(url, {"q": "Ninguém"})) == {"Pool Co"}
    assert _shown(client.get(url, {"country": "FR"})) == {"Bravo SARL"}
    assert _shown(client.get(url, {"status__exact": "pool"})) == {"Pool Co"}
    assert _shown(client.get(url, {"partner": str(world["partner_a"].pk)})) == {"Alpha Ltda"}
    assert _shown(client.get(url, {"rule": "manual"})) == {"Alpha Ltda", "Bravo SARL"}
    assert _shown(client.get(url, {"sla": "on_time"})) == {"Alpha Ltda", "Bravo SARL"}
    assert _shown(client.get(url, {"sla": "none"})) == {"Pool Co"}
    assert _shown(client.get(url, {"sla": "breached"})) == set()
    assert client.get(url, {"_facets": "True"}).status_code == 200  # the counts of every filter choice


# --- Intake --------------------------------------------------------------------------------------

_FORM = {
    "contact_name": "Maria Souza",
    "email": "maria@cliente.example",
    "phone": "",
    "company": "Cliente Ltda.",
    "company_size": "50-249",
    "industry": "retail",
    "country": "BR",
    "region": "SP",
    "city": "São Paulo",
    "latitude": "",
    "longitude": "",
    "product": "",
    "rating": "A",
    "source": "fair",
    "notes": "",
    "_save": "1",
}


def test_manual_create_through_the_service_with_errors_beside_the_fields(world, login):
    client = login(world["channel_manager"])
    add = reverse("admin:leads_lead_add")
    assert client.get(add).status_code == 200
    response = client.post(add, {**_FORM, "company": "   "})
    assert response.status_code == 200
    assert "company" in response.context["adminform"].form.errors
    response = client.post(add, {**_FORM, "latitude": "-23.5"})
    assert "latitude" in response.context["adminform"].form.errors  # both coordinates or neither
    assert not Lead.objects.exists()
    response = client.post(add, {**_FORM, "email": " Maria@Cliente.example "})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.status, lead.email, lead.created_by) == (
        LeadStatus.POOL,
        "maria@cliente.example",
        world["channel_manager"],
    )
    assert AuditEvent.objects.filter(action="lead.created", object_id=str(lead.pk)).count() == 1


def test_manual_create_and_assign_by_the_rules(world, login):
    AssignmentRule.objects.create(name="Brazil", order=1, countries=["BR"], partner_countries=["BR"])
    response = login(world["channel_manager"]).post(reverse("admin:leads_lead_add"), {**_FORM, "assign_now": "on"})
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.status, lead.partner) == (LeadStatus.OFFERED, world["partner_a"])


def test_only_staff_who_may_add_leads_create_them_nobody_edits_or_deletes(world, offered, login):
    lead = offered(world["partner_a"])
    for role in ("cam_a", "executive"):
        client = login(world[role])
        assert client.get(reverse("admin:leads_lead_add")).status_code == 403, role
        assert client.post(reverse("admin:leads_lead_add"), _FORM).status_code == 403, role
    client = login(world["channel_manager"])
    assert client.get(reverse("admin:leads_lead_delete", args=[lead.pk])).status_code == 403
    response = client.post(admin_url(lead), {**_FORM, "company": "Changed"})
    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.company != "Changed"
    page = client.get(admin_url(lead))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    choices = {c[0] for c in client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices}
    assert {"assign_selected", "reassign_selected", "return_selected"} <= choices
    assert "delete_selected" not in choices


def test_executive_has_no_routing_actions(world, offered, login):
    lead = offered(world["partner_a"])
    client = login(world["executive"])
    changelist = client.get(reverse(CHANGELIST))
    assert changelist.context["action_form"] is None or not [
        c for c in changelist.context["action_form"].fields["action"].choices if c[0]
    ]
    page = client.get(admin_url(lead))
    assert page.status_code == 200 and page.context["can_assign"] is False
    assert 'id="return-form"' not in page.content.decode()
    assert client.post(admin_url(lead, "return"), {"reason": "x"}).status_code == 403
    assert _status(lead) == LeadStatus.OFFERED


# --- Bulk actions --------------------------------------------------------------------------------


def test_bulk_assign_by_rules_reports_n_of_m_and_each_failure(world, new_lead, offered, login):
    AssignmentRule.objects.create(name="Brazil", order=1, countries=["BR"], partner_countries=["BR"])
    first, second = new_lead(company="First Co"), new_lead(company="Second Co")
    french = new_lead(company="French Co", country="FR")
    held = offered(world["partner_b"], company="Held Co")
    client = login(world["channel_manager"])
    confirm = client.post(
        reverse(CHANGELIST), {"action": "assign_selected", "_selected_action": [first.pk, second.pk, held.pk]}
    )
    assert confirm.status_code == 200
    assert confirm.templates[0].name == "admin/confirm_action.html"
    response = bulk_action(client, "assign_selected", [first, second, french, held])
    assert landed_on(response) == reverse(CHANGELIST)
    messages = messages_of(response)
    assert "2 of 4 leads assigned." in messages
    assert any(m.startswith("Held Co:") for m in messages)
    assert any("French Co" in m and "stays in the vendor pool" in m for m in messages)
    assert [_status(first), _status(second), _status(french)] == [LeadStatus.OFFERED, LeadStatus.OFFERED, "pool"]
    assert first.partner == world["partner_a"]


def test_bulk_assign_by_a_cam_is_refused_per_lead(world, offered, login):
    held = offered(world["partner_a"], company="Held Co")
    response = bulk_action(login(world["cam_a"]), "assign_selected", [held])
    messages = messages_of(response)
    assert "0 of 1 lead assigned." in messages
    assert any(m.startswith("Held Co:") for m in messages)


def test_bulk_reassign_to_a_chosen_partner(world, offered, login):
    one = offered(world["partner_a"], company="One Co")
    two = offered(world["partner_a"], company="Two Co")
    already = offered(world["partner_b"], company="Already Co")
    client = login(world["channel_manager"])
    response = bulk_action(
        client, "reassign_selected", [one, two, already], partner=str(world["partner_b"].pk), note="Closer"
    )
    messages = messages_of(response)
    assert "2 of 3 leads reassigned." in messages
    assert any(m.startswith("Already Co:") and "already offered" in m for m in messages)
    for lead in (one, two):
        lead.refresh_from_db()
        assert (lead.status, lead.partner) == (LeadStatus.OFFERED, world["partner_b"])
        recalled = LeadAssignment.objects.get(lead=lead, partner=world["partner_a"])
        assert recalled.outcome == "recalled" and recalled.note == "Closer"


def test_cam_reassigns_only_to_partners_in_scope(world, offered, login):
    lead = offered(world["partner_a"], company="One Co")
    client = login(world["cam_a"])
    confirm = client.post(reverse(CHANGELIST), {"action": "reassign_selected", "_selected_action": [lead.pk]})
    assert list(confirm.context["form"].fields["partner"].queryset) == [world["partner_a"]]
    response = bulk_action(client, "reassign_selected", [lead], partner=str(world["partner_b"].pk))
    assert response.status_code == 200  # the confirmation again, with the error beside the partner
    assert "partner" in response.context["form"].errors
    lead.refresh_from_db()
    assert lead.partner == world["partner_a"]


def test_bulk_return_to_pool_needs_a_reason_and_reports_failures(world, new_lead, offered, login):
    held = offered(world["partner_a"], company="Held Co")
    pool = new_lead(company="Pool Co")
    client = login(world["channel_manager"])
    response = bulk_action(client, "return_selected", [held, pool], reason="")
    assert response.status_code == 200 and "reason" in response.context["form"].errors
    assert _status(held) == LeadStatus.OFFERED
    response = bulk_action(client, "return_selected", [held, pool], reason="Customer asked for direct contact")
    messages = messages_of(response)
    assert "1 of 2 leads returned to the pool." in messages
    assert any(m.startswith("Pool Co:") for m in messages)
    held.refresh_from_db()
    assert (held.status, held.partner) == (LeadStatus.POOL, None)
    event = AuditEvent.objects.get(action="lead.returned_to_pool", object_id=str(held.pk))
    assert event.reason == "Customer asked for direct contact"


# --- Single actions ------------------------------------------------------------------------------


def test_single_actions_from_the_change_page(world, new_lead, login):
    AssignmentRule.objects.create(name="Brazil", order=1, countries=["BR"], partner_countries=["BR"])
    lead = new_lead(company="Solo Co")
    client = login(world["channel_manager"])
    page = client.get(admin_url(lead)).content.decode()
    assert 'id="assign-form"' in page and 'id="return-form"' not in page
    assert client.get(admin_url(lead, "assign")).status_code == 405
    response = post_and_follow(client, admin_url(lead, "assign"))
    assert landed_on(response) == admin_url(lead)
    assert any("is offered to Partner A" in m for m in messages_of(response))
    # A second click: the service refuses, a message, nothing changes.
    response = post_and_follow(client, admin_url(lead, "assign"))
    assert any(m.startswith("Solo Co:") for m in messages_of(response))
    response = post_and_follow(client, admin_url(lead, "reassign"), {"partner": str(world["partner_b"].pk)})
    assert any("is offered to Partner B" in m for m in messages_of(response))
    response = post_and_follow(client, admin_url(lead, "return"), {"reason": ""})
    assert _status(lead) == LeadStatus.OFFERED
    response = post_and_follow(client, admin_url(lead, "return"), {"reason": "Wrong country"})
    assert any("back in the vendor pool" in m for m in messages_of(response))
    assert _status(lead) == LeadStatus.POOL


# --- Why this partner? ---------------------------------------------------------------------------


def test_the_explanation_names_the_rule_the_candidates_and_why_the_winner_won(world, new_lead, login):
    AssignmentRule.objects.create(name="Germany only", order=1, countries=["BR"], partner_countries=["DE"])
    AssignmentRule.objects.create(name="Weighted Brazil", order=2, strategy=AssignmentStrategy.WEIGHTED)
    lead = services.lead_assign_by_rules(actor=world["channel_manager"], lead=new_lead(company="Explained Co"))
    assert lead.partner is not None
    winner, other = (
        (world["partner_a"], world["partner_b"])
        if lead.partner == world["partner_a"]
        else (world["partner_b"], world["partner_a"])
    )
    page = login(world["cam_a"] if winner == world["partner_a"] else world["cam_other"]).get(admin_url(lead))
    body = page.content.decode()
    assert "Why this partner?" in body
    [item] = page.context["explanations"]
    assert item["rule"] == "Weighted Brazil" and item["strategy"] == "weighted by tier and performance"
    assert "had the highest score" in item["why"] and winner.name in item["why"]
    assert [c["name"] for c in item["candidates"]] == [winner.name, other.name]
    assert item["candidates"][0]["is_winner"] and len(item["columns"]) == 7
    assert item["skipped"] == ["Germany only"]
    assert "Germany only" in body and other.name in body


def test_history_shows_past_assignments_and_manual_reasons(world, new_lead, login):
    rule = AssignmentRule.objects.create(name="Rotation", order=1)
    lead = services.lead_assign_by_rules(actor=world["channel_manager"], lead=new_lead(company="History Co"))
    assert lead.partner_id == world["partner_a"].pk  # first in the rotation: the lowest id
    services.lead_decline(actor=world["partner_a_sales"], lead=lead, reason="no_capacity")
    lead.refresh_from_db()
    services.lead_reassign(
        actor=world["channel_manager"], lead=lead, partner=world["partner_a"], note="Key account of A"
    )
    page = login(world["channel_manager"]).get(admin_url(lead))
    explanations = page.context["explanations"]
    assert len(explanations) == 3
    current = explanations[0]
    assert current["is_current"] and "Assigned by hand by" in current["why"] and "Key account of A" in current["why"]
    first = explanations[-1]
    assert first["rule"] == rule.name and first["strategy"] == "round-robin"
    assert "first in the rule's rotation" in first["why"]
    assert first["outcome"] == "declined"
    second = explanations[1]
    assert second["excluded"]  # the partner that declined is left out
    assert "next in turn" in second["why"] or "first in the rule's rotation" in second["why"]


# --- Clocks --------------------------------------------------------------------------------------


def test_clock_badge_and_breached_filter(world, offered, login):
    lead = offered(world["partner_a"], company="Late Co")
    client = login(world["channel_manager"])
    page = client.get(reverse(CHANGELIST)).content.decode()
    assert "sla-on_time" in page
    Deadline.objects.filter(object_id=lead.pk, kind=ACCEPTANCE_KIND).update(
        due_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    page = client.get(reverse(CHANGELIST))
    assert "sla-breached" in page.content.decode()
    assert _shown(client.get(reverse(CHANGELIST), {"sla": "breached"})) == {"Late Co"}
    assert _shown(client.get(reverse(CHANGELIST), {"sla": "on_time"})) == set()
    change = client.get(admin_url(lead))
    assert [item["clock"].state for item in change.context["clocks"]] == ["breached"]
    # After the last reminder (80 %), the clock is due soon.
    Deadline.objects.filter(object_id=lead.pk, kind=ACCEPTANCE_KIND).update(
        due_at=timezone.now() + datetime.timedelta(minutes=10), reminders_sent=2
    )
    assert _shown(client.get(reverse(CHANGELIST), {"sla": "due_soon"})) == {"Late Co"}
    assert _shown(client.get(reverse(CHANGELIST), {"sla": "breached"})) == set()
    assert "sla-due_soon" in client.get(reverse(CHANGELIST)).content.decode()


def test_accepted_lead_shows_the_first_contact_clock(world, offered, login):
    lead = services.lead_accept(actor=world["partner_a_sales"], lead=offered(world["partner_a"]))
    client = login(world["cam_a"])
    [row] = client.get(reverse(CHANGELIST)).context["cl"].result_list
    assert str(row.clock_name) == "first contact" and row.clock.state == "on_time"
    clocks = {item["prefix"]: item["clock"].state for item in client.get(admin_url(lead)).context["clocks"]}
    assert clocks == {"acceptance": "met", "first_contact": "on_time"}


# --- Query budget --------------------------------------------------------------------------------


def _leads(world, new_lead, count: int, start: int) -> None:
    rule = AssignmentRule.objects.get_or_create(name="Budget rule", defaults={"order": 1})[0]
    for number in range(start, start + count):
        lead = new_lead(company=f"Customer {number}")
        partner = world["partner_a"] if number % 2 else world["partner_b"]
        if number % 4 == 0:
            continue  # stays in the pool
        if number % 4 == 1:
            services.lead_assign_by_rules(actor=world["channel_manager"], lead=lead)
        else:
            lead = services.lead_assign_manually(actor=world["channel_manager"], lead=lead, partner=partner)
        lead.refresh_from_db()
        if number % 4 == 3 and lead.partner_id == world["partner_a"].pk:
            services.lead_accept(actor=world["partner_a_sales"], lead=lead)
    assert rule.pk


@pytest.mark.parametrize("role", ["channel_manager", "cam_a"])
def test_changelist_query_count_does_not_grow_with_rows(world, new_lead, login, role):
    with_three, with_thirty = queries_before_and_after(
        login(world[role]),
        reverse(CHANGELIST),
        rows=lambda: _leads(world, new_lead, 3, 0),
        more_rows=lambda: _leads(world, new_lead, 27, 3),
    )
    assert with_three == with_thirty, (with_three, with_thirty)
    assert with_thirty <= 25, with_thirty
    assert Lead.objects.count() == 30


# --- Rules and settings --------------------------------------------------------------------------


def test_channel_manager_keeps_the_rules_others_read_them(world, login, other_client):
    add = reverse("admin:leads_assignmentrule_add")
    data = {
        "name": "Retail in Brazil",
        "order": "5",
        "is_active": "on",
        "strategy": "weighted",
        "countries": "br, XX",
        "regions": "SP, RJ",
        "industries": ["retail"],
        "ratings": ["A", "B"],
        "partner_countries": "BR",
        "_save": "1",
    }
    client = login(world["channel_manager"])
    response = client.post(add, data)
    assert response.status_code == 200 and "countries" in response.context["adminform"].form.errors
    response = client.post(add, {**data, "countries": "br"})
    assert response.status_code == 302
    rule = AssignmentRule.objects.get()
    assert (rule.countries, rule.regions, rule.industries, rule.ratings) == (
        ["BR"],
        ["SP", "RJ"],
        ["retail"],
        ["A", "B"],
    )
    assert AuditEvent.objects.filter(action="lead_rule.created", object_id=str(rule.pk)).exists()
    cam = other_client(world["cam_a"])
    assert cam.get(reverse("admin:leads_assignmentrule_changelist")).status_code == 200
    assert cam.get(reverse("admin:leads_assignmentrule_change", args=[rule.pk])).status_code == 200
    assert (
        cam.post(reverse("admin:leads_assignmentrule_change", args=[rule.pk]), {**data, "name": "X"}).status_code == 403
    )
    assert cam.get(add).status_code == 403
    rule.refresh_from_db()
    assert rule.name == "Retail in Brazil"


def test_lead_settings_changed_by_the_channel_manager_only(world, login, other_client):
    changelist = reverse("admin:leads_leadprogramsettings_changelist")
    client = login(world["channel_manager"])
    assert client.get(changelist).status_code == 200
    settings = LeadProgramSettings.objects.get(program=world["partner_a"].program)
    url = reverse("admin:leads_leadprogramsettings_change", args=[settings.pk])
    data = {
        "acceptance_days": "3",
        "max_reassignments": "2",
        "max_open_leads": "",
        "first_contact_days_a": "1",
        "first_contact_days_b": "4",
        "first_contact_days_c": "6",
        "_save": "1",
    }
    response = client.post(url, {**data, "acceptance_days": "0"})
    assert response.status_code == 200 and "acceptance_days" in response.context["adminform"].form.errors
    assert client.post(url, data).status_code == 302
    settings.refresh_from_db()
    assert (settings.acceptance_days, settings.max_open_leads, settings.max_reassignments) == (3, None, 2)
    assert AuditEvent.objects.filter(action="lead_settings.changed", object_id=str(settings.pk)).exists()
    for role in ("cam_a", "executive"):
        assert other_client(world[role]).get(url).status_code == 403, role


def test_partner_locations_kept_by_the_channel_manager(world, login, other_client):
    add = reverse("admin:leads_partnerlocation_add")
    data = {
        "partner": str(world["partner_a"].pk),
        "latitude": "-23.55",
        "longitude": "",
        "region": " São  Paulo ",
        "_save": "1",
    }
    client = login(world["channel_manager"])
    response = client.post(add, data)
    assert response.status_code == 200 and "latitude" in response.context["adminform"].form.errors
    assert client.post(add, {**data, "longitude": "-46.63"}).status_code == 302
    location = PartnerLocation.objects.get(partner=world["partner_a"])
    assert (location.latitude, location.longitude, location.region) == (-23.55, -46.63, "São Paulo")
    assert AuditEvent.objects.filter(action="partner_location.created", partner_id=world["partner_a"].pk).exists()
    cam = other_client(world["cam_a"])
    assert cam.get(reverse("admin:leads_partnerlocation_change", args=[location.pk])).status_code == 403
    assert cam.get(add).status_code == 403


def test_lead_settings_changelist_lists_every_program_and_writes_nothing(world, login):
    programs = {world["partner_a"].program_id, world["partner_b"].program_id}
    assert set(LeadProgramSettings.objects.values_list("program_id", flat=True)) == programs  # made with them
    rows = changelist_without_writes(login(world["channel_manager"]), LeadProgramSettings)
    assert {row.program_id for row in rows} == programs


def test_the_lead_settings_read_writes_nothing_and_gives_the_defaults_without_a_row(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from leads.engine import RoutingContext
    from leads.services import program_settings

    program = world["partner_a"].program
    LeadProgramSettings.objects.filter(program=program).delete()
    with CaptureQueriesContext(connection) as queries:
        settings = program_settings(program)
        routing = RoutingContext(now=None).settings_for(program.pk)
    assert statements(queries) == ["SELECT", "SELECT"]
    assert settings.pk is None and routing.pk is None
    assert (settings.acceptance_days, settings.max_open_leads, settings.max_reassignments) == (2, 50, 3)
    assert routing.acceptance_days == 2
    assert not LeadProgramSettings.objects.filter(program=program).exists()
