"""The partner home's won revenue towards the next tier, converted into the program's currency."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from deals import services
from tests.factories import TierFactory


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def usd_program(world):
    partner = world["partner_a"]
    program = partner.program
    program.currency = "USD"
    program.save()
    partner.tier = TierFactory(program=program, rank=1)
    partner.save()
    TierFactory(program=program, rank=2, min_revenue_12m=50000, min_approved_deals=2)
    return program


@pytest.fixture
def won_deal(world, make_deal, usd_program):
    def won(amount, currency, closed_on=None, company="Acme Soluções Ltda."):
        closed_on = closed_on or days_ago(20)
        deal = make_deal(
            world["partner_a_admin"], world["partner_a"], submit=True, currency=currency, customer_company=company
        )
        deal = services.deal_approve(actor=world["cam_a"], deal=deal)
        return services.deal_close_won(
            actor=world["partner_a_admin"], deal=deal, final_amount=amount, closed_on=closed_on
        )

    return won


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_deal_without_a_rate_is_a_visible_warning_not_a_silent_zero(client, world, won_deal):
    won_deal(Decimal("12345.00"), "BRL")
    page = _home(client, world["partner_a_sales"])
    assert f"No exchange rate for BRL on {days_ago(20).isoformat()}; those deals are not counted." in page
