"""prm.money.convert and sum_in: exact values, cross rates, the nearest-earlier-date rule, missing rates."""

import datetime
from decimal import Decimal

import pytest

from prm.errors import ServiceError
from prm.money import BASE_CURRENCY, MissingRate, convert, sum_in
from prm.money.models import ExchangeRate

DAY = datetime.date(2026, 3, 2)  # a Monday
NEXT = DAY + datetime.timedelta(days=1)
BEFORE = DAY - datetime.timedelta(days=1)


def rate(currency, on, value):
    return ExchangeRate.objects.create(currency=currency, date=on, rate=Decimal(value))


@pytest.fixture
def rates(db):
    rate("USD", DAY, "1.0823")
    rate("BRL", DAY, "6.1234")


def test_the_base_currency_is_the_euro():
    assert BASE_CURRENCY == "EUR"


def test_from_and_to_the_euro(rates):
    assert convert(Decimal("100"), "EUR", "USD", DAY) == Decimal("108.23")
    assert convert(Decimal("108.23"), "USD", "EUR", DAY) == Decimal("100.00")


def test_cross_rates_go_through_the_euro(rates):
    # 12,345 × 1.0823 / 6.1234 = 2,181.9566…; 1,000 × 6.1234 / 1.0823 = 5,657.7658…
    assert convert(Decimal("12345"), "BRL", "USD", DAY) == Decimal("2181.96")
    assert convert(Decimal("1000"), "USD", "BRL", DAY) == Decimal("5657.77")
    assert convert(Decimal("12345"), "brl", " usd ", DAY) == Decimal("2181.96")


def test_the_result_is_rounded_to_cents_half_even(db):
    rate("USD", DAY, "1.25")
    assert convert(Decimal("0.02"), "EUR", "USD", DAY) == Decimal("0.02")  # 0.025: half to even, down
    assert convert(Decimal("0.06"), "EUR", "USD", DAY) == Decimal("0.08")  # 0.075: half to even, up
    assert convert(Decimal("0.07"), "EUR", "USD", DAY) == Decimal("0.09")  # 0.0875
    assert convert(Decimal("0.02"), "EUR", "USD", DAY).as_tuple().exponent == -2


def test_the_same_currency_reads_nothing(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert convert(Decimal("10.005"), "BRL", "BRL", DAY) == Decimal("10.00")
        assert convert(Decimal("10.015"), "XYZ", "XYZ", DAY) == Decimal("10.02")


def test_one_conversion_is_one_query(rates, django_assert_num_queries):
    with django_assert_num_queries(1):
        convert(Decimal("1"), "BRL", "USD", DAY)


def test_the_rate_of_the_date_itself_not_the_day_after(db):
    rate("BRL", DAY, "6.0000")
    rate("BRL", NEXT, "6.5000")
    assert convert(Decimal("60"), "BRL", "EUR", DAY) == Decimal("10.00")
    assert convert(Decimal("65"), "BRL", "EUR", NEXT) == Decimal("10.00")


def test_the_nearest_earlier_rate_when_the_date_has_none(db):
    rate("BRL", DAY - datetime.timedelta(days=10), "5.0000")
    rate("BRL", DAY - datetime.timedelta(days=3), "6.0000")  # the Friday before
    rate("USD", DAY - datetime.timedelta(days=20), "1.2000")
    assert convert(Decimal("60"), "BRL", "EUR", DAY) == Decimal("10.00")
    # Each currency takes its own nearest earlier rate: 60 / 6 × 1.2.
    assert convert(Decimal("60"), "BRL", "USD", DAY) == Decimal("12.00")


def test_a_rate_dated_the_day_after_does_not_count(db):
    rate("BRL", NEXT, "6.0000")
    with pytest.raises(MissingRate) as raised:
        convert(Decimal("60"), "BRL", "EUR", DAY)
    assert raised.value.currency == "BRL" and raised.value.on == DAY
    assert convert(Decimal("60"), "BRL", "EUR", NEXT) == Decimal("10.00")


def test_a_missing_rate_is_a_service_error_naming_the_currency_and_the_date(rates):
    with pytest.raises(ServiceError) as raised:
        convert(Decimal("1"), "BRL", "GBP", DAY)
    assert isinstance(raised.value, MissingRate)
    assert str(raised.value.message) == "No exchange rate for GBP on 2026-03-02."
    with pytest.raises(MissingRate, match="No exchange rate for BRL on 2026-03-01."):
        convert(Decimal("1"), "BRL", "USD", BEFORE)


def test_the_message_is_translated(rates, settings):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(MissingRate) as raised:
        convert(Decimal("1"), "BRL", "GBP", DAY)
    assert "GBP" in str(raised.value.message) and "2026-03-02" in str(raised.value.message)


# --- sum_in ---------------------------------------------------------------------------------------


def test_sum_in_converts_each_amount_at_its_own_date(db, django_assert_num_queries):
    rate("USD", DAY, "1.0823")
    rate("BRL", DAY, "6.1234")
    rate("USD", NEXT, "1.2000")
    rate("BRL", NEXT, "6.0000")
    rows = [
        (Decimal("12345"), "BRL", DAY),  # 2,181.9566…
        (Decimal("19200"), "EUR", DAY),  # 20,780.16
        (Decimal("60"), "BRL", NEXT),  # 12
        (Decimal("7.50"), "USD", BEFORE),  # the target currency: no rate needed
    ]
    with django_assert_num_queries(1):
        total, missing = sum_in("USD", rows)
    assert total == Decimal("22981.62") and missing == set()  # 22,981.6166…


def test_sum_in_names_what_it_could_not_convert(rates):
    rows = [
        (Decimal("100"), "BRL", DAY),
        (Decimal("100"), "BRL", BEFORE),  # no BRL rate on or before
        (Decimal("5"), "GBP", DAY),  # no GBP rate at all
        (Decimal("1"), "USD", DAY),
    ]
    total, missing = sum_in("USD", rows)
    assert missing == {("BRL", BEFORE), ("GBP", DAY)}
    assert total == Decimal("18.67")  # 100 × 1.0823 / 6.1234 = 17.6748… + 1


def test_sum_in_names_the_target_currency_when_it_has_no_rate(db):
    rate("BRL", DAY, "6.0000")
    total, missing = sum_in("USD", [(Decimal("60"), "BRL", DAY)])
    assert total == Decimal("0.00") and missing == {("USD", DAY)}


def test_sum_in_rounds_once_at_the_end(db):
    rate("USD", DAY, "1.25")
    total, _missing = sum_in("USD", [(Decimal("0.02"), "EUR", DAY), (Decimal("0.02"), "EUR", DAY)])
    assert total == Decimal("0.05")  # 0.025 + 0.025, not 0.02 + 0.02


def test_sum_in_reads_nothing_when_everything_is_in_the_currency(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert sum_in("BRL", [(Decimal("1.005"), "BRL", DAY), (None, "BRL", DAY)]) == (Decimal("1.00"), set())
        assert sum_in("USD", []) == (Decimal("0.00"), set())


def test_sum_in_keeps_one_query_as_rows_and_dates_grow(db, django_assert_num_queries):
    for offset in range(60):
        rate("BRL", DAY - datetime.timedelta(days=offset), "6.0000")
        rate("USD", DAY - datetime.timedelta(days=offset), "1.2000")
    rows = [
        (Decimal("6"), code, DAY - datetime.timedelta(days=offset)) for offset in range(60) for code in ("BRL", "EUR")
    ]
    with django_assert_num_queries(1):
        total, missing = sum_in("USD", rows)
    assert total == Decimal("504.00") and missing == set()  # 60 × (1.2 + 7.2)
