import pytest

from deals import services
from deals.models import DealStatus, HouseAccount
from deals.selectors import deal_conflicts
from deals.services import config


def _pair(world, make_deal, first: dict, second: dict):
    a = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, **first)
    b = make_deal(world["partner_b_user"], world["partner_b"], submit=True, **second)
    return a, b


@pytest.mark.parametrize(
    "first, second, kind",
    [
        ({"customer_company": "Société Générale S.A."}, {"customer_company": "SOCIETE GENERALE"}, "name"),
        ({"customer_company": "Acme Ltda"}, {"customer_company": "Acme LTDA.", "customer_email": ""}, "name"),
        (
            {"customer_company": "Alpha", "customer_email": "a@bigcorp.com"},
            {"customer_company": "Omega", "customer_email": "z@bigcorp.com"},
            "email_domain",
        ),
        (
            {"customer_company": "Alpha", "customer_email": "", "customer_tax_id": "12.345.678/0001-90"},
            {"customer_company": "Zeta", "customer_email": "", "customer_tax_id": "12345678000190"},
            "tax_id",
        ),
    ],
)
def test_matches(world, make_deal, first, second, kind):
    a, b = _pair(world, make_deal, first, second)
    assert not a.conflict_flag and b.conflict_flag
    matches = deal_conflicts(b)
    assert [m.target for m in matches if m.kind == kind] == [a]
    match = next(m for m in matches if m.kind == kind)
    assert match.registered_first and 0.6 <= match.score <= 1.0
    assert not next(m for m in deal_conflicts(a) if m.kind == kind).registered_first


def test_free_mail_never_matches(world, make_deal):
    a, b = _pair(
        world,
        make_deal,
        {"customer_company": "Alpha", "customer_email": "a@gmail.com"},
        {"customer_company": "Omega", "customer_email": "z@gmail.com"},
    )
    assert not b.conflict_flag and deal_conflicts(b) == []


def test_different_country_does_not_match(world, make_deal):
    a, b = _pair(world, make_deal, {}, {"customer_country": "FR"})
    assert not b.conflict_flag


def test_dissimilar_names_do_not_match(world, make_deal):
    a, b = _pair(
        world,
        make_deal,
        {"customer_company": "Alpha Logistics", "customer_email": ""},
        {"customer_company": "Omega Foods", "customer_email": ""},
    )
    assert not b.conflict_flag


def test_same_partner_counts(world, make_deal):
    make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    b = make_deal(world["partner_a_sales"], world["partner_a"], submit=True)
    assert b.conflict_flag


def test_closed_and_draft_deals_do_not_count(world, make_deal):
    a = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    services.deal_reject(actor=world["cam_a"], deal=a, reason="no")
    make_deal(world["partner_a_admin"], world["partner_a"])
    b = make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    assert not b.conflict_flag


def test_house_account_matches(world, make_deal):
    config.house_account_create(
        actor=world["channel_manager"], company_name="Petróleo Brasileiro S.A.", country="BR", tax_id=""
    )
    deal = make_deal(
        world["partner_a_admin"],
        world["partner_a"],
        submit=True,
        customer_company="Petroleo Brasileiro",
        customer_email="",
    )
    assert deal.conflict_flag
    (match,) = deal_conflicts(deal)
    assert isinstance(match.target, HouseAccount) and match.registered_first


def test_house_account_in_another_country_does_not_match(world, make_deal):
    HouseAccount.objects.create(company_name="Acme", name_normalized="acme solucoes", country="FR")
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    assert not deal.conflict_flag


def test_failing_check_goes_to_manual_review(world, make_deal, monkeypatch):
    def broken(deal, **kwargs):
        raise RuntimeError("index unavailable")

    monkeypatch.setattr("deals.services.registration.deal_conflicts", broken)
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    assert deal.status == DealStatus.SUBMITTED
    assert deal.conflict_flag and deal.conflict_check_failed
