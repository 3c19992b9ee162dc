"""The staff page of a partner (/staff/partners/<pk>/): its audit trail holds the events of everything
the partner owns (its deals, members, invitations, profile, onboarding), never a partner's draft nor
another partner's events; and an invited user who has not joined yet is listed apart from the members,
with the date of the invitation."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import services as deal_services
from partners.invitations import invitation_create
from partners.services import partner_profile_update

DEAL = {
    "customer_country": "BR",
    "amount": Decimal("1000.00"),
    "currency": "BRL",
    "expected_close_date": datetime.date(2030, 1, 31),
}


@pytest.fixture
def history(world):
    """Partner A with dozens of events, none of them on the partner object itself."""
    admin, partner = world["partner_a_admin"], world["partner_a"]
    for number in range(12):
        deal = deal_services.deal_create_draft(
            actor=admin, partner=partner, customer_company=f"Submitted Customer {number}", **DEAL
        )
        deal_services.deal_submit(actor=admin, deal=deal)
    draft = deal_services.deal_create_draft(actor=admin, partner=partner, customer_company="Secret Draft Co", **DEAL)
    invitation = invitation_create(actor=admin, partner=partner, email="newbie@partner-a.example", role="sales")
    deal_services.deal_create_draft(
        actor=world["partner_b_user"], partner=world["partner_b"], customer_company="Partner B Customer", **DEAL
    )
    return {"draft": draft, "invitation": invitation}


@pytest.fixture
def page(client, mfa, world):
    def get(role, partner="partner_a"):
        mfa(world[role])
        client.force_login(world[role])
        response = client.get(reverse("staff_partner_detail", args=[world[partner].pk]))
        assert response.status_code == 200
        return response

    return get


@pytest.mark.parametrize("role", ["cam_a", "channel_manager", "executive"])
def test_the_trail_holds_the_events_of_the_partners_deals_and_team(page, world, history, role):
    response = page(role)
    events = list(response.context["audit_events"])
    actions = {event.action for event in events}
    assert {"deal.created", "deal.submitted", "invitation.created"} <= actions
    assert len(events) >= 25
    assert all(event.partner_id == world["partner_a"].pk for event in events)
    html = response.content.decode()
    assert "No recorded events yet" not in html
    assert "Submitted Customer 11" in html  # the object of each event is named
    # Drafts are the partner's: no event of one reaches the staff page; nor do partner B's events.
    assert "Secret Draft Co" not in html and "Partner B Customer" not in html
    assert not [e for e in events if e.object_id == str(history["draft"].pk) and e.action.startswith("deal.")]


def test_the_trail_of_a_partner_with_only_its_own_events_still_shows_them(page, world):
    partner_profile_update(
        actor=world["partner_a_admin"], partner=world["partner_a"], data={"website": "https://a.example"}
    )
    actions = [event.action for event in page("channel_manager").context["audit_events"]]
    assert "partner.profile_updated" in actions


def test_a_submitted_draft_joins_the_trail(page, world, history):
    deal_services.deal_submit(actor=world["partner_a_admin"], deal=history["draft"])
    html = page("cam_a").content.decode()
    assert "Secret Draft Co" in html


def test_an_invited_user_who_has_not_joined_is_listed_apart_with_the_invitation_date(page, world, history):
    response = page("cam_a")
    members = [member.user.email for member in response.context["members"]]
    assert world["partner_a_admin"].email in members and world["partner_a_sales"].email in members
    assert "newbie@partner-a.example" not in members
    invited = list(response.context["invited"])
    assert [invitation.user.email for invitation in invited] == ["newbie@partner-a.example"]
    html = response.content.decode()
    section = html.split('id="invited-h"')[1].split("</table>")[0]
    assert "newbie@partner-a.example" in section and "Invited, not joined" in html
    assert f"{timezone.localtime(history['invitation'].created_at):%m/%d/%Y}" in section
    members_table = html.split('id="members-h"')[1].split("</table>")[0]
    assert "newbie@partner-a.example" not in members_table


def test_the_trail_is_scoped_to_the_viewer(page, world, history):
    response = page("cam_other", partner="partner_b")
    assert all(event.partner_id == world["partner_b"].pk for event in response.context["audit_events"])
    assert "Submitted Customer" not in response.content.decode()


# --- The partner 360: figures, sections, tier, trail pages, queries --------------------------------


def _deals(world, count, *, start=0):
    """``count`` submitted registrations of partner A, every third approved, every ninth won."""
    admin, manager = world["partner_a_admin"], world["channel_manager"]
    for number in range(start, start + count):
        deal = deal_services.deal_create_draft(
            actor=admin,
            partner=world["partner_a"],
            customer_company=f"Customer {number} Ltda",
            customer_email=f"buyer@customer{number}.example",
            **{**DEAL, "currency": "USD"},  # the program's currency: no exchange rate needed
        )
        deal = deal_services.deal_submit(actor=admin, deal=deal)
        if number % 3 == 0:
            deal = deal_services.deal_approve(actor=manager, deal=deal)
        if number % 9 == 0:
            deal_services.deal_close_won(
                actor=admin, deal=deal, final_amount=Decimal("500.00"), closed_on=timezone.localdate()
            )


def _leads(world, count, *, start=0):
    """``count`` leads offered to partner A, every other one accepted."""
    from leads.models import Lead, LeadStatus
    from leads.services import lead_accept, lead_assign_manually

    for number in range(start, start + count):
        lead = Lead.objects.create(
            status=LeadStatus.POOL,
            contact_name="Maria",
            email=f"maria@lead{number}.example",
            company=f"Lead Company {number}",
            country="BR",
        )
        lead = lead_assign_manually(actor=world["channel_manager"], lead=lead, partner=world["partner_a"])
        if number % 2:
            lead_accept(actor=world["partner_a_sales"], lead=lead)


def _kpis(response) -> dict:
    return {str(kpi.label): kpi.value for kpi in response.context["kpis"]}


def test_the_figures_count_what_the_partner_has(page, world):
    _deals(world, 9)  # 0, 3, 6 approved; 0 won
    deal_services.deal_create_draft(
        actor=world["partner_a_admin"], partner=world["partner_a"], customer_company="Draft Only Co", **DEAL
    )
    _leads(world, 3)  # 0 and 2 awaiting the partner's answer, 1 accepted
    kpis = _kpis(page("cam_a"))
    assert kpis["registrations awaiting a decision"] == 6
    assert kpis["protected registrations"] == 2
    assert kpis["deals won"] == 1
    assert kpis["won revenue, last 12 months"] == "USD 500"
    assert kpis["leads awaiting the partner's answer"] == 2
    assert kpis["leads accepted and in progress"] == 1
    assert kpis["leads converted"] == 0
    assert kpis["active users"] == 2


def test_the_deals_and_leads_sections_list_the_latest_with_status_clock_and_admin_link(page, world):
    _deals(world, 12)
    _leads(world, 2)
    response = page("channel_manager")
    sections = {section.name: section for section in response.context["sections"]}
    deals = sections["deals"].data
    assert deals["total"] == 12 and len(deals["rows"]) == 10  # the latest ten
    assert [deal.customer_company for deal, _clock in deals["rows"]][:2] == ["Customer 11 Ltda", "Customer 10 Ltda"]
    html = response.content.decode()
    deals_html = html.split('id="deals-h"')[1].split("</section>")[0]
    newest = deals["rows"][0][0]
    assert reverse("admin:deals_deal_change", args=[newest.pk]) in deals_html
    assert "decision due in" in deals_html  # the clock of a registration awaiting its decision
    assert "Customer 0 Ltda" not in deals_html and "Customer 1 Ltda" not in deals_html
    assert f"?partner={world['partner_a'].pk}" in deals_html and "All 12 registrations in the admin" in deals_html
    leads_html = html.split('id="leads-h"')[1].split("</section>")[0]
    assert "Lead Company 0" in leads_html and "Lead Company 1" in leads_html
    assert "answer due in" in leads_html and "first contact due in" in leads_html


def test_a_partner_without_deals_nor_leads_says_so(page, world):
    html = page("cam_a").content.decode()
    assert "No deal registration submitted yet." in html
    assert "No lead passed to this partner yet." in html


def test_the_cam_of_another_partner_sees_neither_the_figures_nor_the_page(client, mfa, world):
    _deals(world, 3)
    mfa(world["cam_other"])
    client.force_login(world["cam_other"])
    assert client.get(reverse("staff_partner_detail", args=[world["partner_a"].pk])).status_code == 404
    client.force_login(world["partner_a_admin"])
    assert client.get(reverse("staff_partner_detail", args=[world["partner_a"].pk])).status_code == 403


def test_the_tier_card_shows_the_progress_toward_the_next_tier(page, world):
    from tests.factories import TierFactory

    program = world["partner_a"].program
    entry = TierFactory(program=program, rank=1, name="Registered")
    TierFactory(program=program, rank=2, name="Gold", requirements={"deals.approved": 2, "deals.won": 5})
    world["partner_a"].tier = entry
    world["partner_a"].save(update_fields=["tier"])
    _deals(world, 4)  # 0 and 3 approved: the first requirement is met, not the second (1 won)
    response = page("cam_a")
    tier = response.context["tier"]
    assert (tier["next"].name, tier["met"], tier["total"], tier["percent"]) == ("Gold", 1, 2, 50)
    html = response.content.decode()
    card = html.split('id="tier-h"')[1].split("</section>")[0]
    assert "What it takes to reach Gold" in card and "1 of 2 done" in card
    assert "(now: 2)" in card and "(now: 1)" in card
    assert 'aria-valuenow="50"' in card


def test_the_profile_shows_the_partners_facts(page, world):
    partner_profile_update(
        actor=world["partner_a_admin"],
        partner=world["partner_a"],
        data={"website": "https://a.example", "tax_id": "12.345.678/0001-90"},
    )
    html = page("executive").content.decode()
    profile = html.split('id="profile-h"')[1].split("</section>")[0]
    assert "https://a.example" in profile and "12.345.678/0001-90" in profile and "Brazil" in profile


def test_the_trail_is_read_page_by_page_and_holds_every_event(client, page, world, history):
    from partners.selectors import partner_trail

    expected = list(partner_trail(world["channel_manager"], world["partner_a"]).values_list("pk", flat=True))
    assert 25 < len(expected) <= 50
    first = page("channel_manager")
    assert [event.pk for event in first.context["audit_events"]] == expected[:25]
    html = first.content.decode()
    assert "?trail=2#trail" in html and "Older events" in html and "Newer events" not in html
    second = client.get(reverse("staff_partner_detail", args=[world["partner_a"].pk]), {"trail": 2})
    assert [event.pk for event in second.context["audit_events"]] == expected[25:]
    html = second.content.decode()
    assert "?trail=1#trail" in html and "Newer events" in html and "Older events" not in html


@pytest.mark.parametrize("role", ["cam_a", "channel_manager"])
def test_the_page_reads_in_the_same_number_of_queries_however_much_the_partner_has(client, mfa, world, role):
    from tests.helpers.queries import queries_before_and_after

    mfa(world[role])
    client.force_login(world[role])

    def more():
        _deals(world, 12, start=3)
        _leads(world, 6, start=2)
        for number in range(3):
            invitation_create(
                actor=world["partner_a_admin"],
                partner=world["partner_a"],
                email=f"more{number}@partner-a.example",
                role="sales",
            )

    before, after = queries_before_and_after(
        client,
        reverse("staff_partner_detail", args=[world["partner_a"].pk]),
        rows=lambda: (_deals(world, 3), _leads(world, 2)),
        more_rows=more,
    )
    assert before == after, (before, after)
    assert after <= 25


def test_a_lead_returned_to_the_pool_stays_on_the_trail_of_the_partner_that_held_it(page, world):
    from leads.models import Lead
    from leads.services import lead_return_to_pool

    _leads(world, 1)
    lead = Lead.objects.get(company="Lead Company 0")
    lead_return_to_pool(actor=world["channel_manager"], lead=lead, reason="Customer asked for direct contact")
    events = page("cam_a").context["audit_events"]
    returned = [event for event in events if event.action == "lead.returned_to_pool"]
    assert [event.object_id for event in returned] == [str(lead.pk)]
    assert returned[0].reason == "Customer asked for direct contact"
