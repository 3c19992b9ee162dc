"""The facts of a conflict for the staff who decide it.

A CAM deciding a registration of their partner sees, for a competing registration of a partner
outside their scope (with no CAM, or with another CAM), the facts of the conflict: customer,
email domain, tax ID, country, amount, dates, products, status, who registered first and the
match scores. The other partner's private data (the customer contact's email, the notes, the
partner's identity) stays with the staff who see that partner.
"""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from catalogue.models import Product
from deals.selectors import CONFLICT_FACTS, deal_conflict_facts
from partners.roles import StaffRole
from tests import factories

PRIVATE = ("rival-buyer@acme.com.br", "Secret pricing note", "Partner C")


@pytest.fixture
def conflict(world, make_deal):
    """Partner C registers the customer first (contact, notes, products); partner A's later one conflicts."""
    partner_c = factories.PartnerFactory(name="Partner C", program=world["partner_a"].program)
    user_c = factories.partner_user(partner_c, "sales")
    product = Product.objects.create(name_en="Security Gateway")
    theirs = make_deal(
        user_c,
        partner_c,
        submit=True,
        customer_company="Acme Soluções S.A.",
        customer_email="rival-buyer@acme.com.br",
        customer_tax_id="12.345.678/0001-90",
        amount=Decimal("250000.00"),
        currency="BRL",
        expected_close_date=datetime.date(2031, 3, 15),
        notes="Secret pricing note",
        products=[product],
    )
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, customer_tax_id="12345678000190")
    return {"partner_c": partner_c, "theirs": theirs, "mine": mine}


def _facts(user, deal):
    rows = deal_conflict_facts(user, deal)
    assert len(rows) == 1
    row = rows[0]
    return row, {key: field["theirs"] for key, field in zip(CONFLICT_FACTS, row["fields"], strict=True)}


def _assert_the_facts(row, theirs, conflict):
    other = conflict["theirs"]
    assert row["registered_first"] is True
    assert {c["label"]: c["score"] for c in row["criteria"]} == {
        "same tax ID": 1.0,
        "same email domain": 1.0,
        "similar name": 1.0,
    }
    assert theirs["customer"] == "Acme Soluções S.A."
    assert theirs["domain"] == "acme.com.br"
    assert theirs["tax_id"] == "12.345.678/0001-90"
    assert theirs["country"] == "Brazil (BR)"
    assert theirs["amount"] == "BRL 250,000"
    assert theirs["expected_close"] == datetime.date(2031, 3, 15)
    assert theirs["products"] == "Security Gateway"
    assert theirs["status"] == "submitted"
    assert theirs["registered"] == other.created_at
    assert theirs["submitted"] == other.submitted_at
    # Private: the contact, the notes and the partner's identity are not part of the facts.
    assert "(outside your scope)" not in theirs.values()
    assert not any(text in str(value) for value in theirs.values() for text in PRIVATE)


def test_a_cam_deciding_sees_the_facts_of_a_cam_less_partners_registration(world, conflict):
    row, theirs = _facts(world["cam_a"], conflict["mine"])
    _assert_the_facts(row, theirs, conflict)
    assert not row["in_scope"] and row["url"] == ""
    assert theirs["partner"] == "Another partner"
    assert theirs["cam"] == "None assigned"


def test_a_cam_deciding_sees_the_facts_of_a_partner_with_another_cam(world, conflict):
    other_cam = factories.staff_user(StaffRole.CAM, partners=[conflict["partner_c"]], email="olga.cam@vendor.example")
    row, theirs = _facts(world["cam_a"], conflict["mine"])
    _assert_the_facts(row, theirs, conflict)
    assert theirs["partner"] == "Another partner"
    assert theirs["cam"] == other_cam.email


def test_the_channel_manager_sees_the_partner_but_not_its_private_data(world, conflict):
    row, theirs = _facts(world["channel_manager"], conflict["mine"])
    assert row["in_scope"] and row["url"] == reverse("admin:deals_deal_change", args=[conflict["theirs"].pk])
    assert theirs["partner"] == "Partner C"
    assert theirs["customer"] == "Acme Soluções S.A."
    assert "rival-buyer@acme.com.br" not in theirs.values() and "Secret pricing note" not in theirs.values()


def test_only_viewers_who_see_the_deal_get_its_conflict_facts(world, conflict):
    assert deal_conflict_facts(world["cam_other"], conflict["mine"]) is None
    assert deal_conflict_facts(world["partner_a_admin"], conflict["mine"]) is None


def test_the_change_page_shows_the_facts_side_by_side(world, conflict, client, mfa):
    mfa(world["cam_a"])
    client.force_login(world["cam_a"])
    page = client.get(reverse("admin:deals_deal_change", args=[conflict["mine"].pk]))
    assert page.status_code == 200
    section = page.content.decode().split('id="conflicts"')[1].split('id="decide"')[0]
    for shown in (
        "Acme Soluções S.A.",
        "12.345.678/0001-90",
        "BRL 250,000",
        "Security Gateway",
        "The other registration was registered first",
        "same tax ID (1.00)",
        "Another partner",
        "None assigned",
    ):
        assert shown in section, shown
    assert "(outside your scope)" not in section
    for private in PRIVATE:
        assert private not in section, private
