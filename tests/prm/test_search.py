"""Global search (prm.search): what each role finds is what it may see; one query a group."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deals import services as deal_services
from leads.models import Lead, LeadStatus
from prm.search import MAX_LENGTH, clean_text, register_search, search_all
from tests.leads.conftest import LEAD_DEFAULTS


def _deal(world, partner_key, user_key, company, submit=True):
    deal = deal_services.deal_create_draft(
        actor=world[user_key],
        partner=world[partner_key],
        customer_company=company,
        customer_email="buyer@example.com",
        customer_country="BR",
        amount=Decimal("1000.00"),
        currency="BRL",
        expected_close_date=datetime.date(2030, 1, 31),
    )
    return deal_services.deal_submit(actor=world[user_key], deal=deal) if submit else deal


def _lead(partner, company):
    return Lead.objects.create(
        **{**LEAD_DEFAULTS, "company": company, "status": LeadStatus.ACCEPTED, "partner": partner}
    )


def _found(user, text):
    return {group.source.key: [hit.title for hit in group.hits] for group in search_all(user, text)}


@pytest.fixture
def records(world):
    _deal(world, "partner_a", "partner_a_admin", "Zircon Mineração Ltda")
    _deal(world, "partner_b", "partner_b_user", "Zircon Mining SAS")
    _deal(world, "partner_a", "partner_a_admin", "Zircon Draft Co", submit=False)
    _lead(world["partner_a"], "Zircon Leads A")
    _lead(world["partner_b"], "Zircon Leads B")
    return world


def test_a_partner_user_finds_its_own_records_only(records):
    found = _found(records["partner_a_sales"], "zircon")
    assert sorted(found["deals"]) == ["Zircon Draft Co", "Zircon Mineração Ltda"]
    assert found["leads"] == ["Zircon Leads A"]
    assert "partners" not in found
    assert _found(records["partner_b_user"], "zircon") == {"deals": ["Zircon Mining SAS"], "leads": ["Zircon Leads B"]}


def test_a_cam_finds_the_records_of_its_partners_and_no_drafts(records):
    found = _found(records["cam_a"], "zircon")
    assert found["deals"] == ["Zircon Mineração Ltda"]
    assert found["leads"] == ["Zircon Leads A"]
    assert _found(records["cam_a"], "partner") == {"partners": ["Partner A"]}


def test_the_channel_manager_finds_every_partner_s(records):
    found = _found(records["channel_manager"], "zircon")
    assert sorted(found["deals"]) == ["Zircon Mineração Ltda", "Zircon Mining SAS"]
    assert sorted(found["leads"]) == ["Zircon Leads A", "Zircon Leads B"]
    assert _found(records["channel_manager"], "partner") == {"partners": ["Partner A", "Partner B"]}


def test_text_of_one_character_finds_nothing_and_long_text_is_cut(records):
    assert clean_text(" z ") == "" and clean_text("zi") == "zi"
    assert search_all(records["channel_manager"], "z") == []
    assert len(clean_text("x" * 500)) == MAX_LENGTH
    assert clean_text("  Zircon \n  Mineração ") == "Zircon Mineração"


def test_one_query_a_group_whatever_the_number_of_hits(records):
    def queries(text):
        with CaptureQueriesContext(connection) as captured:
            search_all(records["channel_manager"], text)
        return len(captured)

    queries("zircon")  # the user's permissions are read once and kept on the user
    few = queries("zircon")
    for number in range(8):
        _deal(records, "partner_a", "partner_a_admin", f"Zircon Extra {number}")
        _lead(records["partner_a"], f"Zircon Lead Extra {number}")
    assert queries("zircon") == few <= 3


def test_the_page_lists_the_groups_and_escapes_the_text(client, records, mfa):
    client.force_login(records["partner_a_admin"])
    page = client.get("/search/", {"q": "zircon"}).content.decode()
    assert "Zircon Mineração Ltda" in page and "Zircon Mining SAS" not in page
    assert 'href="/deals/' in page
    page = client.get("/search/", {"q": "<script>x</script>"}).content.decode()
    assert "<script>x</script>" not in page and "Nothing found." in page
    assert "Type at least 2 characters." in client.get("/search/", {"q": "a"}).content.decode()


def test_a_search_source_is_registered_once():
    def nothing(user, text, limit):
        return []

    register_search("test.source", label="Test", icon="search", search=nothing)
    register_search("test.source", label="Test", icon="search", search=nothing)
    with pytest.raises(ImproperlyConfigured):
        register_search("test.source", label="Other", icon="search", search=nothing)
