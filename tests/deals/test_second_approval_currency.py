"""The second-approval amount is in the program's currency: a deal in another currency is converted
at the rate of its submission day (ADR 0010); without a rate a channel manager approves too."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from deals import services
from deals.models import DealStatus
from deals.selectors import program_settings
from prm.money.services import exchange_rates_load

pytestmark = pytest.mark.django_db


@pytest.fixture
def limit_10000_usd(world):
    program = world["partner_a"].program
    assert program.currency == "USD"
    settings = program_settings(program)
    settings.second_approval_amount = Decimal("10000.00")
    settings.save()
    return program


def _rates(day, brl, usd="1.0000"):
    exchange_rates_load(actor=None, rates=[(day, "BRL", Decimal(brl)), (day, "USD", Decimal(usd))], source="test")


@pytest.mark.parametrize(
    ("amount", "second"),
    [("50000.00", False), ("50000.05", True)],  # 10,000.00 USD exactly is not above; 10,000.01 is
)
def test_a_brl_deal_is_compared_in_usd_at_the_submission_day_rate(world, make_deal, limit_10000_usd, amount, second):
    _rates(timezone.localdate(), brl="5.0000")  # 1 BRL = 0.2 USD
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, amount=Decimal(amount), currency="BRL")
    deal = services.deal_approve(actor=world["cam_a"], deal=deal)
    if second:
        assert deal.status == DealStatus.SUBMITTED and deal.awaiting_second_approval
    else:
        assert deal.status == DealStatus.APPROVED


def test_the_rate_of_an_earlier_day_serves_when_the_day_has_none(world, make_deal, limit_10000_usd):
    _rates(timezone.localdate() - datetime.timedelta(days=3), brl="4.0000")  # 1 BRL = 0.25 USD
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, amount=Decimal("40000.04"))
    deal = services.deal_approve(actor=world["cam_a"], deal=deal)
    assert deal.awaiting_second_approval  # 10,000.01 USD


def test_without_a_rate_a_channel_manager_approves_too(world, make_deal, limit_10000_usd):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True, amount=Decimal("1.00"))
    deal = services.deal_approve(actor=world["cam_a"], deal=deal)
    assert deal.status == DealStatus.SUBMITTED and deal.awaiting_second_approval


def test_a_deal_in_the_program_currency_needs_no_rate(world, make_deal, limit_10000_usd):
    deal = make_deal(
        world["partner_a_admin"], world["partner_a"], submit=True, amount=Decimal("10000.00"), currency="USD"
    )
    assert services.deal_approve(actor=world["cam_a"], deal=deal).status == DealStatus.APPROVED
