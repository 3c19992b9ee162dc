"""The partner home's lead tiles: leads awaiting the partner's answer and leads it is working on."""

import re

import pytest
from django.urls import reverse

from leads import services
from leads.selectors import partner_lead_summary
from tests.leads.conftest import LEAD_DEFAULTS


@pytest.fixture
def offer(world):
    def make(partner=None, **fields):
        manager = world["channel_manager"]
        lead = services.lead_create(actor=manager, **{**LEAD_DEFAULTS, **fields})
        return services.lead_assign_manually(actor=manager, lead=lead, partner=partner or world["partner_a"])

    return make


def tile(page: str, status: str) -> str:
    # The figure is the tile's link, named by its label for screen readers.
    found = re.search(
        rf'href="{reverse("lead_inbox")}\?status={status}"[^>]*>(\d+)<span class="visually-hidden">[^<]*</span></a>',
        page,
    )
    assert found, status
    return found.group(1)


def test_the_home_counts_the_leads_offered_and_worked_on(client, world, offer):
    offer(company="Waiting One")
    offer(company="Waiting Two", email="two@waiting.example")
    accepted = offer(company="Accepted Co", email="a@accepted.example")
    services.lead_accept(actor=world["partner_a_sales"], lead=accepted)
    offer(partner=world["partner_b"], company="Theirs Ltda", email="t@theirs.example")
    services.lead_create(actor=world["channel_manager"], **{**LEAD_DEFAULTS, "company": "In The Pool"})

    assert partner_lead_summary(world["partner_a"]) == {"offered": 2, "open": 1}
    assert partner_lead_summary(world["partner_b"]) == {"offered": 1, "open": 0}
    client.force_login(world["partner_a_sales"])
    page = client.get(reverse("home")).content.decode()
    assert (tile(page, "offered"), tile(page, "open")) == ("2", "1")
