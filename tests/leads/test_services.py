"""Lead services: intake, lifecycle transitions, manual assignment, SLA clocks, visibility, conversion."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from catalogue.models import Product
from deals.models import DealStatus
from leads import services
from leads.models import (
    ACCEPTANCE_KIND,
    FIRST_CONTACT_KIND,
    LEAD_TRANSITIONS,
    AssignmentOutcome,
    Lead,
    LeadAssignment,
    LeadStatus,
)
from leads.selectors import PREVIEW_FIELDS, lead_assignments, lead_fields_for, lead_list, lead_visible_fields
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadlines_sweep
from tests import factories
from tests.leads.conftest import sales_user

pytestmark = pytest.mark.django_db


def clock(lead, kind=ACCEPTANCE_KIND):
    return Deadline.objects.for_object(lead, kind).order_by("-created_at", "-id").first()


@pytest.fixture
def routed(make_partner, make_rule, make_lead):
    """Three partners in round-robin and a lead offered to the first."""
    partners = [make_partner(n) for n in ("First", "Second", "Third")]
    make_rule(strategy="round_robin")
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead())
    assert lead.partner_id == partners[0].pk
    return lead, partners


# --- Intake -------------------------------------------------------------------------------------------


def test_create_validates_and_lands_in_the_pool(manager):
    product = Product.objects.create(name_en="Cloud")
    lead = services.lead_create(
        actor=manager,
        contact_name=" Ana  Lima ",
        email="ANA@Cliente.com",
        company="Cliente",
        country="br",
        product=product.pk,
        rating="a",
        latitude="-23.5",
        longitude="-46.6",
    )
    assert (lead.status, lead.partner_id, lead.email, lead.country, lead.rating) == (
        "pool",
        None,
        "ana@cliente.com",
        "BR",
        "A",
    )
    assert lead.contact_name == "Ana Lima" and lead.product == product and lead.latitude == -23.5
    assert AuditEvent.objects.filter(action="lead.created", object_id=str(lead.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"country": "XX"}, "country"),
        ({"company": "  "}, "company"),
        ({"contact_name": ""}, "contact_name"),
        ({"rating": "D"}, "rating"),
        ({"industry": "mining"}, "industry"),
        ({"company_size": "huge"}, "company_size"),
        ({"product": 999999}, "product"),
        ({"latitude": "-23"}, "latitude"),
        ({"latitude": "91", "longitude": "0"}, "latitude"),
        ({"status": "accepted"}, None),
        ({"partner": 1}, None),
    ],
)
def test_create_refuses_bad_fields(manager, fields, field):
    data = {"contact_name": "Ana", "email": "ana@c.com", "company": "C", "country": "BR", **fields}
    with pytest.raises(ServiceError) as error:
        services.lead_create(actor=manager, **data)
    assert error.value.field == field


def test_only_staff_with_the_permission_create(world):
    for user in (world["partner_a_admin"], world["cam_a"], world["executive"]):
        with pytest.raises(PermissionDenied):
            services.lead_create(actor=user, contact_name="A", email="a@b.com", company="C", country="BR")
    marketing = factories.staff_user(StaffRole.MARKETING)
    assert services.lead_create(actor=marketing, contact_name="A", email="a@b.com", company="C", country="BR").pk


def test_create_and_assign(manager, make_partner, make_rule):
    partner = make_partner()
    make_rule()
    lead = services.lead_create(
        actor=manager, assign=True, contact_name="A", email="a@b.com", company="C", country="BR"
    )
    assert (lead.status, lead.partner_id) == (LeadStatus.OFFERED, partner.pk)
    assignment = LeadAssignment.objects.get(lead=lead)
    assert assignment.assigned_by == manager and assignment.explanation["winner"] == partner.pk


# --- Offer, unmatched ------------------------------------------------------------------------------------


def test_offer_starts_the_clock_and_tells_the_sales_users(routed):
    lead, partners = routed
    deadline = clock(lead)
    assert deadline.state == DeadlineState.OPEN and deadline.partner_id == partners[0].pk
    assert deadline.duration_seconds == 2 * 9 * 3600
    assert Notification.objects.filter(kind="lead.offered", recipient=sales_user(partners[0])).count() == 1
    assignment = LeadAssignment.objects.get(lead=lead)
    assert assignment.assigned_by is None and assignment.strategy == "round_robin"
    assert assignment.explanation["reason"]["code"] == "next_in_turn"


def test_no_match_stays_in_the_pool_and_alerts_the_channel_manager(manager, make_lead):
    lead = services.lead_assign_by_rules(actor=manager, lead=make_lead())
    assert lead.status == LeadStatus.POOL
    assert Notification.objects.filter(kind="lead.unmatched", recipient=manager).exists()


def test_batch_notifies_once_per_partner(make_partner, make_rule, make_lead):
    partner = make_partner()
    make_rule()
    ids = [make_lead(company=f"C{n}").pk for n in range(3)]
    result = services.leads_assign_batch(lead_ids=ids)
    assert (result.assigned, result.unmatched, result.skipped) == (3, 0, 0)
    assert Notification.objects.filter(kind="lead.offered_many", recipient=sales_user(partner)).count() == 1
    assert Deadline.objects.filter(kind=ACCEPTANCE_KIND, state="open").count() == 3
    assert services.leads_assign_batch(lead_ids=ids).skipped == 3  # no longer in the pool


# --- Transitions ------------------------------------------------------------------------------------------

ALL = list(LeadStatus.values)


def _lead_in(status, partner, make_lead):
    lead = make_lead()
    if status != LeadStatus.POOL:
        Lead.objects.filter(pk=lead.pk).update(status=status, partner=partner)
        LeadAssignment.objects.create(
            lead=lead,
            partner=partner,
            strategy="manual",
            assigned_at=lead.created_at,
            **(
                {}
                if status not in LEAD_TRANSITIONS or LEAD_TRANSITIONS[status]
                else {"ended_at": lead.created_at, "outcome": "lost"}
            ),
        )
    return Lead.objects.get(pk=lead.pk)


PARTNER_ACTIONS = {
    LeadStatus.ACCEPTED: lambda user, lead: services.lead_accept(actor=user, lead=lead),
    LeadStatus.CONTACTED: lambda user, lead: services.lead_advance(actor=user, lead=lead, to_status="contacted"),
    LeadStatus.QUALIFIED: lambda user, lead: services.lead_advance(actor=user, lead=lead, to_status="qualified"),
    LeadStatus.LOST: lambda user, lead: services.lead_mark_lost(actor=user, lead=lead, reason="No budget"),
    LeadStatus.CONVERTED: lambda user, lead: services.lead_convert(
        actor=user, lead=lead, amount="100", expected_close_date=datetime.date(2031, 1, 1)
    ),
}


@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", list(PARTNER_ACTIONS))
def test_partner_transitions_follow_the_table(make_partner, make_lead, source, target):
    partner = make_partner()
    lead = _lead_in(source, partner, make_lead)
    user = sales_user(partner)
    legal = target in LEAD_TRANSITIONS[source]
    if source == LeadStatus.POOL:
        with pytest.raises(PermissionDenied):
            PARTNER_ACTIONS[target](user, lead)
    elif legal:
        PARTNER_ACTIONS[target](user, lead)
        assert Lead.objects.get(pk=lead.pk).status == target
    else:
        with pytest.raises(ServiceError):
            PARTNER_ACTIONS[target](user, lead)
        assert Lead.objects.get(pk=lead.pk).status == source


@pytest.mark.parametrize("source", ALL)
def test_staff_return_to_pool_follows_the_table(make_partner, make_lead, manager, source):
    lead = _lead_in(source, make_partner(), make_lead)
    if LeadStatus.POOL in LEAD_TRANSITIONS[source]:
        services.lead_return_to_pool(actor=manager, lead=lead, reason="re-route")
        lead.refresh_from_db()
        assert (lead.status, lead.partner_id) == (LeadStatus.POOL, None)
        assert LeadAssignment.objects.get(lead=lead).outcome == AssignmentOutcome.RETURNED
    else:
        with pytest.raises(ServiceError):
            services.lead_return_to_pool(actor=manager, lead=lead)


def test_the_lifecycle_and_its_clocks(routed):
    lead, partners = routed
    user = sales_user(partners[0])
    lead = services.lead_accept(actor=user, lead=lead)
    assert clock(lead).state == DeadlineState.MET
    first_contact = clock(lead, FIRST_CONTACT_KIND)
    assert first_contact.state == DeadlineState.OPEN and first_contact.duration_seconds == 2 * 9 * 3600  # rating A
    assert LeadAssignment.objects.get(lead=lead).outcome == AssignmentOutcome.ACCEPTED
    services.lead_advance(actor=user, lead=lead, to_status="contacted")
    assert clock(lead, FIRST_CONTACT_KIND).state == DeadlineState.MET
    services.lead_advance(actor=user, lead=lead, to_status="qualified")
    lead.refresh_from_db()
    assert lead.contacted_at and lead.qualified_at and lead.status == LeadStatus.QUALIFIED
    with pytest.raises(ServiceError):
        services.lead_advance(actor=user, lead=lead, to_status="converted")
    with pytest.raises(ServiceError):
        services.lead_mark_lost(actor=user, lead=lead, reason="  ")
    services.lead_mark_lost(actor=user, lead=lead, reason="Chose a competitor")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.LOST and lead.lost_reason == "Chose a competitor"
    assert LeadAssignment.objects.get(lead=lead).outcome == AssignmentOutcome.LOST


def test_b_and_c_leads_have_five_days_to_first_contact(make_partner, make_rule, make_lead):
    partner = make_partner()
    make_rule()
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead(rating="C"))
    services.lead_accept(actor=sales_user(partner), lead=lead)
    assert clock(lead, FIRST_CONTACT_KIND).duration_seconds == 5 * 9 * 3600


def test_other_partners_cannot_act(routed):
    lead, partners = routed
    stranger = sales_user(partners[1])
    for action in PARTNER_ACTIONS.values():
        with pytest.raises(PermissionDenied):
            action(stranger, lead)


# --- Decline and reassignment --------------------------------------------------------------------------------


def test_decline_needs_a_reason_from_the_list(routed):
    lead, partners = routed
    with pytest.raises(ServiceError):
        services.lead_decline(actor=sales_user(partners[0]), lead=lead, reason="")
    with pytest.raises(ServiceError):
        services.lead_decline(actor=sales_user(partners[0]), lead=lead, reason="whatever")


def test_decline_offers_the_next_candidate_and_never_again(routed):
    lead, partners = routed
    services.lead_decline(actor=sales_user(partners[0]), lead=lead, reason="no_capacity", note="Full")
    lead.refresh_from_db()
    assert (lead.status, lead.partner_id, lead.reassignments) == (LeadStatus.OFFERED, partners[1].pk, 1)
    declined = LeadAssignment.objects.get(lead=lead, partner=partners[0])
    assert (declined.outcome, declined.decline_reason, declined.note) == ("declined", "no_capacity", "Full")
    assert clock(lead).partner_id == partners[1].pk and clock(lead).state == DeadlineState.OPEN
    assert Deadline.objects.for_object(lead, ACCEPTANCE_KIND).filter(state="cancelled").count() == 1
    services.lead_decline(actor=sales_user(partners[1]), lead=lead, reason="outside_territory")
    lead.refresh_from_db()
    assert lead.partner_id == partners[2].pk
    services.lead_decline(actor=sales_user(partners[2]), lead=lead, reason="other")
    lead.refresh_from_db()
    # Everyone declined: back to the pool, the channel manager alerted.
    assert (lead.status, lead.partner_id) == (LeadStatus.POOL, None)
    assert AuditEvent.objects.filter(action="lead.returned_to_pool", reason="no_candidate").exists()
    # The pool lead, assigned by the rules again, goes to no one who declined it.
    assert services.lead_assign_by_rules(actor=None, lead=lead).status == LeadStatus.POOL


def test_reassigned_partner_loses_the_lead(routed):
    lead, partners = routed
    first = sales_user(partners[0])
    assert Lead.objects.visible_to(first).filter(pk=lead.pk).exists()
    services.lead_decline(actor=first, lead=lead, reason="no_capacity")
    assert not Lead.objects.visible_to(first).filter(pk=lead.pk).exists()
    assert lead_fields_for(first, Lead.objects.get(pk=lead.pk)) == ()


# --- The acceptance SLA with the sweeper ------------------------------------------------------------------------


def test_reminders_then_lapse_reassigns_to_the_next(routed):
    lead, partners = routed
    deadline = clock(lead)
    for _reminder in (50, 80):
        assert deadlines_sweep(now=deadline.next_fire_at).reminders == 1
        deadline.refresh_from_db()
    reminders = Notification.objects.filter(kind="lead.acceptance_reminder", recipient=sales_user(partners[0]))
    assert sorted(n.params["percent"] for n in reminders) == [50, 80]
    assert deadline.next_fire_at == deadline.due_at
    deadlines_sweep(now=deadline.due_at + datetime.timedelta(minutes=1))
    lead.refresh_from_db()
    assert (lead.status, lead.partner_id, lead.reassignments) == (LeadStatus.OFFERED, partners[1].pk, 1)
    assert LeadAssignment.objects.get(lead=lead, partner=partners[0]).outcome == AssignmentOutcome.LAPSED
    assert Notification.objects.filter(kind="lead.recalled", recipient=sales_user(partners[0])).exists()
    assert Notification.objects.filter(kind="lead.offered", recipient=sales_user(partners[1])).exists()
    assert clock(lead).partner_id == partners[1].pk


def test_after_max_reassignments_the_lead_returns_to_the_pool(
    make_partner, make_rule, make_lead, lead_settings, manager
):
    lead_settings.max_reassignments = 2
    lead_settings.save()
    partners = [make_partner(f"P{n}") for n in range(5)]
    make_rule(strategy="round_robin")
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead())
    offered_to = [lead.partner_id]
    for _ in range(3):
        deadlines_sweep(now=clock(lead).due_at + datetime.timedelta(minutes=1))
        lead.refresh_from_db()
        offered_to.append(lead.partner_id)
    assert offered_to == [partners[0].pk, partners[1].pk, partners[2].pk, None]
    assert lead.status == LeadStatus.POOL and lead.reassignments == 2
    assert Notification.objects.filter(kind="lead.returned_to_pool", recipient=manager).exists()
    assert AuditEvent.objects.filter(action="lead.returned_to_pool", reason="max_reassignments").exists()


def test_acceptance_before_the_breach_stops_the_clock(routed):
    lead, partners = routed
    services.lead_accept(actor=sales_user(partners[0]), lead=lead)
    deadlines_sweep(now=clock(lead).due_at + datetime.timedelta(minutes=1))
    lead.refresh_from_db()
    assert (lead.status, lead.partner_id) == (LeadStatus.ACCEPTED, partners[0].pk)


def test_first_contact_reminders_reach_the_sales_users_until_the_lead_is_contacted(routed):
    lead, partners = routed
    services.lead_accept(actor=sales_user(partners[0]), lead=lead)
    deadline = clock(lead, FIRST_CONTACT_KIND)
    assert deadlines_sweep(now=deadline.next_fire_at).reminders == 1  # 50 %
    (reminder,) = Notification.objects.filter(kind="lead.first_contact_reminder")
    assert (reminder.recipient, reminder.params["percent"]) == (sales_user(partners[0]), 50)
    services.lead_advance(actor=sales_user(partners[0]), lead=lead, to_status=LeadStatus.CONTACTED)
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.MET
    assert deadlines_sweep(now=deadline.due_at + datetime.timedelta(minutes=1)).handled == 0
    assert Notification.objects.filter(kind__startswith="lead.first_contact").count() == 1


def test_first_contact_breach_reminds_the_partner_and_alerts_the_cam(routed):
    lead, partners = routed
    cam = factories.staff_user(StaffRole.CAM, partners=[partners[0]])
    services.lead_accept(actor=sales_user(partners[0]), lead=lead)
    deadline = clock(lead, FIRST_CONTACT_KIND)
    result = deadlines_sweep(now=deadline.due_at + datetime.timedelta(minutes=1))  # the sweeper was down
    # The reminders overtaken by the breach are skipped: the partner reads "late", not "soon" and "late".
    assert (result.reminders, result.breaches, result.skipped) == (0, 1, 2)
    assert not Notification.objects.filter(kind="lead.first_contact_reminder").exists()
    assert Notification.objects.filter(kind="lead.first_contact_late", recipient=sales_user(partners[0])).exists()
    assert Notification.objects.filter(kind="lead.first_contact_overdue", recipient=cam).exists()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED  # the partner keeps it


# --- Staff assignment and scope ----------------------------------------------------------------------------------


def test_manual_assignment_is_audited_and_recalls_the_holder(routed, manager):
    lead, partners = routed
    services.lead_assign_manually(actor=manager, lead=lead, partner=partners[2], note="Key account")
    lead.refresh_from_db()
    assert (lead.partner_id, lead.reassignments) == (partners[2].pk, 0)
    old = LeadAssignment.objects.get(lead=lead, partner=partners[0])
    new = LeadAssignment.objects.get(lead=lead, ended_at__isnull=True)
    assert old.outcome == AssignmentOutcome.RECALLED
    assert (new.strategy, new.assigned_by, new.explanation["note"]) == ("manual", manager, "Key account")
    assert AuditEvent.objects.filter(action="lead.reassigned", actor=manager, reason="Key account").exists()
    assert Notification.objects.filter(kind="lead.recalled", recipient=sales_user(partners[0])).exists()


def test_reassign_by_rules_leaves_out_the_holder(routed, manager):
    lead, partners = routed
    services.lead_reassign(actor=manager, lead=lead)
    lead.refresh_from_db()
    assert lead.partner_id == partners[1].pk


def test_a_cam_assigns_only_within_their_partners(routed):
    lead, partners = routed
    cam = factories.staff_user(StaffRole.CAM, partners=[partners[0], partners[1]])
    with pytest.raises(PermissionDenied):
        services.lead_assign_manually(actor=cam, lead=lead, partner=partners[2])
    services.lead_reassign(actor=cam, lead=lead)  # by the rules, within the CAM's partners
    lead.refresh_from_db()
    assert lead.partner_id == partners[1].pk
    outsider = factories.staff_user(StaffRole.CAM, partners=[partners[2]])
    with pytest.raises(PermissionDenied):
        services.lead_return_to_pool(actor=outsider, lead=lead)
    with pytest.raises(PermissionDenied):
        services.lead_reassign(actor=factories.staff_user(StaffRole.EXECUTIVE), lead=lead, partner=partners[0])


def test_a_cam_cannot_touch_the_pool(make_lead, make_partner):
    partner = make_partner()
    cam = factories.staff_user(StaffRole.CAM, partners=[partner])
    with pytest.raises(PermissionDenied):
        services.lead_assign_manually(actor=cam, lead=make_lead(), partner=partner)
    with pytest.raises(PermissionDenied):
        services.leads_assign_batch(actor=cam)


# --- Visibility -----------------------------------------------------------------------------------------------------


def test_pool_leads_are_visible_only_to_staff_who_see_all_partners(make_lead, make_partner, manager):
    lead = make_lead()
    partner = make_partner()
    cam = factories.staff_user(StaffRole.CAM, partners=[partner])
    executive = factories.staff_user(StaffRole.EXECUTIVE)
    assert list(Lead.objects.visible_to(manager)) == [lead]
    assert list(Lead.objects.visible_to(executive)) == [lead]
    assert not Lead.objects.visible_to(cam).exists()
    assert not Lead.objects.visible_to(sales_user(partner)).exists()


def test_partner_sees_a_preview_before_acceptance_and_everything_after(routed, manager):
    lead, partners = routed
    user = sales_user(partners[0])
    preview = lead_visible_fields(user, lead)
    assert tuple(preview) == PREVIEW_FIELDS
    assert "email" not in preview and "contact_name" not in preview and "phone" not in preview
    assert preview["company"] == "Cliente Ltda." and preview["rating"] == "A"
    lead = services.lead_accept(actor=user, lead=lead)
    full = lead_visible_fields(user, lead)
    assert full["email"] == "maria@cliente.com.br" and full["contact_name"] == "Maria Souza"
    assert "rule" not in full and "reassignments" not in full
    assert "rule" in lead_visible_fields(manager, lead)
    assert lead_visible_fields(sales_user(partners[1]), lead) == {}


def test_explanations_are_for_staff_only(routed, manager):
    lead, partners = routed
    assert lead_assignments(sales_user(partners[0]), lead).count() == 0
    assert lead_assignments(manager, lead).get().explanation["winner"] == partners[0].pk


def test_inbox_has_the_countdown(routed):
    lead, partners = routed
    row = lead_list(sales_user(partners[0]), status="offered").get()
    assert (
        row.pk == lead.pk and row.acceptance_clock.state == "open" and row.acceptance_clock.due_at == clock(lead).due_at
    )
    assert not lead_list(sales_user(partners[1])).exists()


# --- Conversion --------------------------------------------------------------------------------------------------


def test_conversion_creates_a_linked_deal_registration(make_partner, make_rule, make_lead):
    partner = make_partner()
    make_rule()
    product = Product.objects.create(name_en="Cloud")
    lead = services.lead_assign_by_rules(actor=None, lead=make_lead(product=product, notes="Wants a demo"))
    user = sales_user(partner)
    services.lead_accept(actor=user, lead=lead)
    services.lead_advance(actor=user, lead=lead, to_status="contacted")
    deal = services.lead_convert(
        actor=user, lead=lead, amount=Decimal("5000"), currency="BRL", expected_close_date=datetime.date(2031, 6, 30)
    )
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.deal == deal
    assert deal.lead == lead  # vendor-sourced
    assert (deal.status, deal.partner, deal.created_by) == (DealStatus.DRAFT, partner, user)
    assert (deal.customer_company, deal.customer_email, deal.customer_country) == (
        "Cliente Ltda.",
        "maria@cliente.com.br",
        "BR",
    )
    assert list(deal.products.all()) == [product] and "Wants a demo" in deal.notes
    assert LeadAssignment.objects.get(lead=lead).outcome == AssignmentOutcome.CONVERTED
    with pytest.raises(ServiceError):
        services.lead_convert(actor=user, lead=lead, amount="1", expected_close_date=datetime.date(2031, 1, 1))


def test_conversion_rolls_back_when_the_deal_is_refused(routed):
    lead, partners = routed
    user = sales_user(partners[0])
    services.lead_accept(actor=user, lead=lead)
    with pytest.raises(ServiceError):
        services.lead_convert(actor=user, lead=lead, amount="-1", expected_close_date=datetime.date(2031, 1, 1))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED and lead.deal is None


def test_the_pool_run_reaches_leads_behind_unmatched_ones_and_alerts_once(make_partner, make_rule, make_lead, manager):
    partner = make_partner()
    make_rule(countries=["BR"])
    unmatched = [make_lead(company=f"Lointain {n}", country="FR").pk for n in range(3)]
    matched = [make_lead(company=f"Perto {n}").pk for n in range(2)]
    result = services.leads_assign_pool(batch_size=2)
    assert (result.assigned, result.unmatched) == (2, 3)
    assert set(Lead.objects.filter(partner=partner).values_list("pk", flat=True)) == set(matched)
    assert set(Lead.objects.filter(status=LeadStatus.POOL).values_list("pk", flat=True)) == set(unmatched)
    alerts = Notification.objects.filter(kind="lead.unmatched", recipient=manager).count()
    services.leads_assign_pool(batch_size=2)  # the same leads, still unmatched: no new alert
    assert Notification.objects.filter(kind="lead.unmatched", recipient=manager).count() == alerts
