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
