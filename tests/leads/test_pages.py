"""Partner pages of lead distribution: the inbox, a lead's page and its actions."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals.models import Deal, DealStatus
from leads import services
from leads.models import AssignmentOutcome, Lead, LeadAssignment, LeadStatus
from prm.audit.models import AuditEvent
from prm.notifications.models import Notification
from tests.leads.conftest import LEAD_DEFAULTS

CLOSE = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
CONTACT = ("Maria Souza", "maria@cliente.com.br", "+55 11 5555-0000")


@pytest.fixture
def offer(world):
    """A lead created by the channel manager and offered by hand to a partner (partner A by default)."""

    def make(partner=None, **fields):
        manager = world["channel_manager"]
        lead = services.lead_create(actor=manager, **{**LEAD_DEFAULTS, **fields})
        return services.lead_assign_manually(actor=manager, lead=lead, partner=partner or world["partner_a"])

    return make


@pytest.fixture
def accepted(offer, world):
    def make(**fields):
        return services.lead_accept(actor=world["partner_a_sales"], lead=offer(**fields))

    return make


@pytest.fixture
def sales(client, world):
    client.force_login(world["partner_a_sales"])
    return client


def _page(client, name, *args, **query) -> str:
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200
    return response.content.decode()


# --- inbox ------------------------------------------------------------------------------------


def test_an_empty_inbox_says_what_to_expect(sales):
    assert "No lead has been passed to your company yet" in _page(sales, "lead_inbox")


def test_the_inbox_lists_only_the_leads_of_my_partner(sales, client, world, offer):
    offer(company="Mine Offered")
    services.lead_create(actor=world["channel_manager"], **{**LEAD_DEFAULTS, "company": "In The Pool"})
    offer(partner=world["partner_b"], company="Theirs Ltda")
    page = _page(sales, "lead_inbox")
    assert "Mine Offered" in page
    assert "In The Pool" not in page and "Theirs Ltda" not in page
    client.force_login(world["partner_b_user"])
    page = _page(client, "lead_inbox")
    assert "Theirs Ltda" in page and "Mine Offered" not in page


def test_the_inbox_shows_the_countdown_that_matters(sales, offer, accepted):
    offer(company="Waiting Co")
    accepted(company="Accepted Co", email="a@accepted.example")
    page = _page(sales, "lead_inbox")
    assert "answer due in" in page
    assert "first contact due in" in page
    assert CONTACT[0] not in page and CONTACT[1] not in page  # no contact in the list, even once accepted


def test_the_inbox_filters_by_status(sales, offer, accepted):
    offer(company="Waiting Co")
    accepted(company="Accepted Co", email="a@accepted.example")
    page = _page(sales, "lead_inbox", status="offered")
    assert "Waiting Co" in page and "Accepted Co" not in page
    page = _page(sales, "lead_inbox", status="open")
    assert "Accepted Co" in page and "Waiting Co" not in page
    page = _page(sales, "lead_inbox", status="closed")
    assert "No lead matches this filter" in page
    assert sales.get(reverse("lead_inbox"), {"status": "<script>", "page": "x"}).status_code == 200


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("lead_inbox")).status_code == 200
    return len(queries)


def test_the_inbox_keeps_its_query_count_and_pages(sales, offer, accepted):
    for index in range(3):
        (accepted if index % 2 else offer)(company=f"Cliente {index}", email=f"c{index}@cliente.example")
    few = _inbox_queries(sales)
    for index in range(3, 30):
        (accepted if index % 2 else offer)(company=f"Cliente {index}", email=f"c{index}@cliente.example")
    assert _inbox_queries(sales) == few
    page = _page(sales, "lead_inbox")
    assert "Page 1 of 2" in page
    page = _page(sales, "lead_inbox", page=2)
    assert "Page 2 of 2" in page and "Cliente 0<" in page


# --- one lead ---------------------------------------------------------------------------------


def test_before_acceptance_only_the_preview_is_shown(sales, offer):
    lead = offer(notes="Budget approved", source="webinar")
    page = _page(sales, "lead_detail", lead.pk)
    assert "Cliente Ltda." in page and "Brazil" in page and "Retail" in page.title()
    assert "answer due in" in page
    for secret in (*CONTACT, "Budget approved", "webinar", "São Paulo"):
        assert secret not in page


def test_accepting_shows_the_contact_and_a_second_click_is_harmless(sales, offer):
    lead = offer()
    response = sales.post(reverse("lead_accept", args=[lead.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("lead_detail", args=[lead.pk])
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED
    page = _page(sales, "lead_detail", lead.pk)
    for detail in CONTACT:
        assert detail in page
    assert "first contact due in" in page
    response = sales.post(reverse("lead_accept", args=[lead.pk]), follow=True)
    assert "You have already accepted this lead" in response.content.decode()
    assert AuditEvent.objects.filter(action="lead.accepted").count() == 1


def test_two_clicks_racing_on_accept_end_with_one_acceptance_and_a_message(sales, offer, monkeypatch):
    """The second request passed the page's check before the first committed: the service refuses it."""
    lead = offer()
    real_accept = services.lead_accept

    def first_click_commits_meanwhile(*, actor, lead):
        real_accept(actor=actor, lead=lead)
        return real_accept(actor=actor, lead=lead)

    monkeypatch.setattr("leads.views.partner.services.lead_accept", first_click_commits_meanwhile)
    response = sales.post(reverse("lead_accept", args=[lead.pk]), follow=True)
    assert response.status_code == 200
    assert "You have already accepted this lead" in response.content.decode()
    assert AuditEvent.objects.filter(action="lead.accepted").count() == 1


def test_declining_needs_a_reason_from_the_list(sales, world, offer):
    lead = offer()
    for data in ({"reason": ""}, {"reason": "nonsense"}):
        response = sales.post(reverse("lead_decline", args=[lead.pk]), data)
        assert response.status_code == 400 and 'class="invalid-feedback' in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED and lead.partner == world["partner_a"]
    response = sales.post(reverse("lead_decline", args=[lead.pk]), {"reason": "no_capacity", "note": "Busy"})
    assert response.status_code == 302 and response["Location"] == reverse("lead_inbox")
    assignment = LeadAssignment.objects.get(lead=lead, partner=world["partner_a"])
    assert assignment.outcome == AssignmentOutcome.DECLINED and assignment.decline_reason == "no_capacity"
    assert assignment.note == "Busy"
    assert sales.get(reverse("lead_detail", args=[lead.pk])).status_code == 404
    # No other partner: back in the pool, and the channel manager's alert links to the lead in the admin.
    alert = Notification.objects.get(recipient=world["channel_manager"], kind="lead.returned_to_pool")
    assert alert.url == reverse("admin:leads_lead_change", args=[lead.pk])


def test_an_offered_lead_cannot_be_worked_before_acceptance(sales, offer):
    lead = offer()
    assert sales.post(reverse("lead_advance", args=[lead.pk]), {"status": "contacted"}).status_code == 400
    assert sales.post(reverse("lead_lost", args=[lead.pk]), {"reason": "No budget"}).status_code == 400
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED


def test_marking_contacted_then_qualified(sales, accepted):
    lead = accepted()
    response = sales.post(reverse("lead_advance", args=[lead.pk]), {"status": "qualified"})
    assert response.status_code == 400 and "cannot become" in response.content.decode()
    assert sales.post(reverse("lead_advance", args=[lead.pk]), {"status": "won"}).status_code == 400
    assert sales.post(reverse("lead_advance", args=[lead.pk]), {"status": "contacted"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.contacted_at
    assert sales.post(reverse("lead_advance", args=[lead.pk]), {"status": "qualified"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_closing_as_lost_needs_a_reason(sales, accepted):
    lead = accepted()
    response = sales.post(reverse("lead_lost", args=[lead.pk]), {"reason": "  "})
    assert response.status_code == 400
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED
    assert sales.post(reverse("lead_lost", args=[lead.pk]), {"reason": "No budget this year"}).status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.LOST and lead.lost_reason == "No budget this year"
    page = _page(sales, "lead_detail", lead.pk)
    assert "No budget this year" in page and "This lead is closed as lost" in page


def _convert_form(**overrides):
    return {"amount": "25000.00", "currency": "BRL", "expected_close_date": CLOSE, "notes": "Two sites", **overrides}


def test_converting_creates_a_linked_deal_draft(sales, world, accepted):
    lead = accepted()
    # Not contacted yet: the service refuses, with its reason, and nothing changes.
    response = sales.post(reverse("lead_convert", args=[lead.pk]), _convert_form())
    assert response.status_code == 400 and "cannot become" in response.content.decode()
    sales.post(reverse("lead_advance", args=[lead.pk]), {"status": "contacted"})
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    for data in (_convert_form(amount="-1"), _convert_form(currency="GBP"), _convert_form(expected_close_date=past)):
        response = sales.post(reverse("lead_convert", args=[lead.pk]), data)
        assert response.status_code == 400 and 'class="invalid-feedback' in response.content.decode()
    assert "cannot be in the past" in response.content.decode()
    assert not Deal.objects.exists()
    response = sales.post(reverse("lead_convert", args=[lead.pk]), _convert_form())
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deal_detail", args=[deal.pk])
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.deal == deal
    assert deal.status == DealStatus.DRAFT and deal.partner == world["partner_a"]
    assert deal.created_by == world["partner_a_sales"]
    assert (deal.customer_company, deal.customer_email, deal.customer_country) == (
        "Cliente Ltda.",
        "maria@cliente.com.br",
        "BR",
    )
    deal_page = sales.get(response["Location"]).content.decode()
    assert "converted into a deal registration draft" in deal_page
    assert "Vendor-sourced" in deal_page
    page = _page(sales, "lead_detail", lead.pk)
    assert reverse("deal_detail", args=[deal.pk]) in page


@pytest.mark.parametrize(("country", "currency"), [("BR", "BRL"), ("DE", "EUR"), ("CA", "USD")])
def test_the_convert_form_offers_the_partners_currency(client, world, accepted, country, currency):
    partner = world["partner_a"]
    partner.country = country
    partner.save()
    assert partner.program.currency == "USD"
    lead = accepted()
    user = world["partner_a_sales"]
    type(user).objects.filter(pk=user.pk).update(language="pt-br")
    client.force_login(user)
    client.post(reverse("lead_advance", args=[lead.pk]), {"status": "contacted"})
    page = _page(client, "lead_detail", lead.pk)
    select = re.search(r'<select name="currency".*?</select>', page, re.S).group(0)
    assert re.search(rf'<option value="{currency}" selected>', select)


def test_a_lead_reassigned_away_is_missing(sales, world, accepted):
    lead = accepted(company="Taken Away Co")
    services.lead_reassign(actor=world["channel_manager"], lead=lead, partner=world["partner_b"])
    assert sales.get(reverse("lead_detail", args=[lead.pk])).status_code == 404
    for name, data in (("lead_accept", {}), ("lead_advance", {"status": "contacted"}), ("lead_lost", {"reason": "x"})):
        assert sales.post(reverse(name, args=[lead.pk]), data).status_code == 404
    assert "Taken Away Co" not in _page(sales, "lead_inbox")
    lead.refresh_from_db()
    assert lead.partner == world["partner_b"] and lead.status == LeadStatus.OFFERED


def test_a_pool_lead_and_another_partners_lead_are_missing(client, world, offer):
    pool = services.lead_create(actor=world["channel_manager"], **LEAD_DEFAULTS)
    theirs = offer(partner=world["partner_b"])
    client.force_login(world["partner_a_admin"])
    for lead in (pool, theirs):
        assert client.get(reverse("lead_detail", args=[lead.pk])).status_code == 404
        assert client.post(reverse("lead_accept", args=[lead.pk])).status_code == 404
    assert Lead.objects.get(pk=theirs.pk).status == LeadStatus.OFFERED


def test_staff_are_sent_to_the_admin_and_refused_the_actions(client, world, mfa, offer):
    lead = offer()
    mfa(world["cam_a"])
    client.force_login(world["cam_a"])
    assert client.get(reverse("lead_inbox"))["Location"] == reverse("admin:leads_lead_changelist")
    assert client.get(reverse("lead_detail", args=[lead.pk]))["Location"] == reverse(
        "admin:leads_lead_change", args=[lead.pk]
    )
    assert client.post(reverse("lead_accept", args=[lead.pk])).status_code == 403
    mfa(world["cam_other"])
    client.force_login(world["cam_other"])
    assert client.get(reverse("lead_detail", args=[lead.pk])).status_code == 404
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED


def test_the_navigation_and_the_notification_lead_to_the_inbox(sales, world, offer):
    lead = offer()
    assert f'href="{reverse("lead_inbox")}"' in _page(sales, "home")
    notification = Notification.objects.get(recipient=world["partner_a_sales"], kind="lead.offered")
    assert notification.url == reverse("lead_detail", args=[lead.pk])


def test_the_inbox_in_french(client, world, offer):
    """Passes once the French catalogue has the lead pages' strings (translated after this change)."""
    offer()
    user = world["partner_a_sales"]
    type(user).objects.filter(pk=user.pk).update(language="fr")
    client.force_login(user)
    page = _page(client, "lead_inbox")
    assert '<html lang="fr">' in page
    assert "answer due in" not in page and "Awaiting your answer" not in page


def test_each_status_has_the_colour_of_its_meaning():
    from leads.models import LeadImportState
    from prm import ui

    assert {code: ui.meaning(code) for code in LeadStatus.values} == {
        "pool": "neutral",
        "offered": "action",
        "accepted": "progress",
        "contacted": "progress",
        "qualified": "progress",
        "converted": "good",
        "lost": "bad",
    }
    assert [ui.meaning(code) for code in LeadImportState.values] == ["neutral", "progress", "good", "bad"]


def test_the_inbox_sorts_by_a_known_column_and_ignores_any_other(sales, offer, accepted):
    offer(company="Beta SA", rating="C")
    accepted(company="Alpha Ltda", rating="B", email="a@alpha.example")
    offer(company="Gama ME", rating="A", email="g@gama.example")
    names = ("Alpha Ltda", "Beta SA", "Gama ME")

    def order(**query):
        page = _page(sales, "lead_inbox", **query)
        return sorted(names, key=page.index)

    assert order() == ["Gama ME", "Alpha Ltda", "Beta SA"]
    assert order(sort="company") == ["Alpha Ltda", "Beta SA", "Gama ME"]
    assert order(sort="-company") == ["Gama ME", "Beta SA", "Alpha Ltda"]
    assert order(sort="rating") == ["Gama ME", "Alpha Ltda", "Beta SA"]
    assert order(sort="status")[0] == "Alpha Ltda"  # accepted before offered
    for unknown in ("email", "-contact_name", "<script>", "--company"):
        assert order(sort=unknown) == ["Gama ME", "Alpha Ltda", "Beta SA"]
    page = _page(sales, "lead_inbox", status="offered", sort="company")
    assert f'href="{reverse("lead_inbox")}?sort=company"' in page  # the status chip drops the status
    assert _inbox_queries(sales) == _inbox_queries_sorted(sales, "-rating")


def _inbox_queries_sorted(client, sort) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("lead_inbox"), {"sort": sort}).status_code == 200
    return len(queries)
