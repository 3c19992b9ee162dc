"""The partner home's won revenue towards the next tier, converted into the program's currency."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from deals import services
from deals.models import Deal, DealStatus
from prm.money.models import ExchangeRate
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
    TierFactory(program=program, rank=2, requirements={"deals.won_revenue": 50000, "deals.approved": 2})
    return program


@pytest.fixture
def won_deal(world, make_deal, usd_program):
    made = iter(range(1000))

    def won(amount, currency, closed_on=None):
        closed_on = closed_on or days_ago(20)
        number = next(made)
        deal = make_deal(
            world["partner_a_admin"],
            world["partner_a"],
            submit=True,
            currency=currency,
            customer_company=f"Cliente {number} Ltda",
            customer_email=f"buyer@cliente{number}.example",
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


def rate(currency, on, value):
    ExchangeRate.objects.create(currency=currency, date=on, rate=Decimal(value))


def test_won_revenue_is_converted_at_the_rates_of_each_close_date(client, world, won_deal):
    rate("USD", days_ago(20), "1.0823")
    rate("BRL", days_ago(20), "6.1234")
    rate("USD", days_ago(400), "9.9999")  # older than a year: not what the deals use
    won_deal(Decimal("12345.00"), "BRL")  # 2,181.9566… USD
    won_deal(Decimal("19200.00"), "EUR")  # 20,780.16 USD
    won_deal(Decimal("100.00"), "USD", closed_on=days_ago(40))  # no rate needed
    page = _home(client, world["partner_a_sales"])
    assert "(you: USD 23,062.12)" in page
    assert "No exchange rate" not in page


def test_the_rate_dated_the_close_date_counts_and_the_one_of_the_day_after_does_not(client, world, won_deal):
    rate("USD", days_ago(30), "1.2000")
    rate("BRL", days_ago(19), "6.5000")  # the day after the close date
    won_deal(Decimal("600.00"), "BRL", closed_on=days_ago(20))
    won_deal(Decimal("50.00"), "USD")
    page = _home(client, world["partner_a_sales"])
    assert "(you: USD 50)" in page
    assert f"No exchange rate for BRL on {days_ago(20).isoformat()}; those deals are not counted." in page

    rate("BRL", days_ago(20), "6.0000")  # the close date itself: 600 / 6 × 1.2 = 120
    page = _home(client, world["partner_a_sales"])
    assert "(you: USD 170)" in page
    assert "No exchange rate" not in page


def test_many_days_without_a_rate_are_summed_up(client, world, won_deal):
    for day in range(20, 27):
        won_deal(Decimal("10.00"), "BRL", closed_on=days_ago(day))
    page = _home(client, world["partner_a_sales"])
    assert page.count("No exchange rate for BRL on") == 5
    assert f"No exchange rate for BRL on {days_ago(26).isoformat()};" in page  # oldest first
    assert "And 2 more days without an exchange rate: their deals are not counted either." in page
    assert "(you: USD 0)" in page


def _home_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


def test_the_home_keeps_its_query_count_as_won_deals_grow(client, world, won_deal, make_deal):
    for day in range(10, 60):
        rate("USD", days_ago(day), "1.1000")
        rate("BRL", days_ago(day), "6.0000")
    won_deal(Decimal("100.00"), "BRL", closed_on=days_ago(10))
    won_deal(Decimal("100.00"), "EUR", closed_on=days_ago(11))
    few = _home_queries(client, world["partner_a_sales"])
    # 40 more won deals in three currencies over 40 days, some before the first rate.
    drafts = [
        make_deal(
            world["partner_a_admin"],
            world["partner_a"],
            customer_company=f"Empresa {index}",
            customer_email=f"compras@empresa{index}.example",
        ).pk
        for index in range(40)
    ]
    for index, pk in enumerate(drafts):
        Deal.objects.filter(pk=pk).update(
            status=DealStatus.WON,
            final_amount=Decimal("10.00"),
            currency=("BRL", "EUR", "USD")[index % 3],
            closed_on=days_ago(10 + index * 2),
        )
    many = _home_queries(client, world["partner_a_sales"])
    assert many == few
    assert "No exchange rate for BRL on" in client.get(reverse("home")).content.decode()
