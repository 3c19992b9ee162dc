"""The metric registry (prm.metrics) and the metrics of deal registration and lead distribution."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import override

from deals.models import Deal, DealStatus
from leads.models import AssignmentOutcome, AssignmentStrategy, Lead, LeadAssignment, LeadStatus
from prm.metrics import (
    ALL_TIME,
    MONEY,
    Period,
    get_metric,
    metric_values,
    metrics,
    register_metric,
    unregister_metric,
)
from prm.money.models import ExchangeRate
from tests.factories import PartnerFactory, ProgramFactory

TODAY = datetime.date(2026, 6, 15)
_numbers = itertools.count()


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def deal(partner, *, status=DealStatus.SUBMITTED, **fields):
    number = next(_numbers)
    return Deal.objects.create(
        partner=partner,
        customer_company=f"Cliente {number}",
        customer_key=f"cliente-{number}",
        customer_country="BR",
        amount=Decimal("1000"),
        status=status,
        **fields,
    )


def lead(partner, **fields):
    return Lead.objects.create(
        partner=partner, contact_name="Maria", email="maria@cliente.example", company="Cliente", country="BR", **fields
    )


# --- the registry ---------------------------------------------------------------------------------


@pytest.fixture
def scratch_metric():
    names = []

    def register(name, fn, **kwargs):
        names.append(name)
        return register_metric(name, fn, **kwargs)

    yield register
    for name in names:
        unregister_metric(name)


def test_a_name_registered_twice_is_refused(scratch_metric):
    scratch_metric("tests.answer", lambda ids, period: dict.fromkeys(ids, 42), label="answer")
    with pytest.raises(ValueError, match="registered already"):
        scratch_metric("tests.answer", lambda ids, period: {}, label="another answer")
    assert metric_values("tests.answer", [1, 2]) == {1: 42, 2: 42}
    with pytest.raises(ValueError, match="registered already"):
        register_metric("deals.won", lambda ids, period: {}, label="won again")


def test_an_unknown_metric_is_an_error():
    with pytest.raises(LookupError):
        metric_values("nobody.nothing", [1])


def test_every_partner_asked_for_gets_a_value_and_the_selector_gets_the_period(scratch_metric):
    seen = []

    def selector(ids, period):
        seen.append((ids, period))
        return {ids[0]: 7}

    scratch_metric("tests.seven", selector, label="seven")
    period = Period(since=TODAY)
    assert metric_values("tests.seven", [3, 1, 3], period) == {1: 7, 3: 0}
    assert seen == [([1, 3], period)]
    assert metric_values("tests.seven", []) == {}
    assert len(seen) == 1  # nobody asked for: nothing read


def test_a_metric_without_a_selector_has_no_values(db):
    assert not get_metric("partners.certified_people").measured
    assert metric_values("partners.certified_people", [1, 2]) == {}


def test_the_apps_register_their_metrics_with_translated_labels():
    names = dict(metrics())
    for name in (
        "deals.registered",
        "deals.approved",
        "deals.won",
        "deals.won_revenue",
        "leads.accepted",
        "leads.converted",
        "partners.certified_people",
    ):
        assert name in names
    assert names["deals.approved"] == "approved deal registrations"
    assert get_metric("deals.won_revenue").unit == MONEY
    with override("pt-br"):
        assert dict(metrics())["deals.approved"] != "approved deal registrations"


def test_a_period_includes_both_of_its_days():
    period = Period(since=TODAY, until=TODAY)
    assert period.moments("at").children == [
        ("at__gte", at(TODAY, 0)),
        ("at__lt", at(TODAY + datetime.timedelta(1), 0)),
    ]
    assert Period.trailing(365, today=TODAY) == Period(since=TODAY - datetime.timedelta(days=365))


# --- deal registration ----------------------------------------------------------------------------


@pytest.fixture
def partners(db):
    return PartnerFactory(name="Alfa"), PartnerFactory(name="Beta")


def test_deal_counts_per_partner_within_the_period(partners):
    alfa, beta = partners
    before, first, last = TODAY - datetime.timedelta(1), TODAY, TODAY + datetime.timedelta(9)
    period = Period(since=first, until=last)
    deal(alfa, submitted_at=at(before, 23))  # the evening before: out
    deal(alfa, submitted_at=at(first, 0))  # the first minute: in
    deal(alfa, submitted_at=at(last, 23), approved_at=at(last, 23), status=DealStatus.WON, closed_on=last)
    deal(beta, submitted_at=at(last + datetime.timedelta(1), 0))  # the day after: out
    deal(beta, status=DealStatus.DRAFT)
    deal(beta, submitted_at=at(first), status=DealStatus.WON, closed_on=before)  # closed before: not won in it
    ids = [alfa.pk, beta.pk]
    assert metric_values("deals.registered", ids, period) == {alfa.pk: 2, beta.pk: 1}
    assert metric_values("deals.approved", ids, period) == {alfa.pk: 1, beta.pk: 0}
    assert metric_values("deals.won", ids, period) == {alfa.pk: 1, beta.pk: 0}
    assert metric_values("deals.won", ids, ALL_TIME) == {alfa.pk: 1, beta.pk: 1}


def test_won_revenue_is_in_each_partners_program_currency(partners):
    alfa = partners[0]
    beta = PartnerFactory(name="Gama", program=ProgramFactory(slug="euro-program", currency="EUR"))
    ExchangeRate.objects.create(currency="USD", date=TODAY, rate=Decimal("1.25"))
    ExchangeRate.objects.create(currency="BRL", date=TODAY, rate=Decimal("5.00"))
    deal(alfa, status=DealStatus.WON, closed_on=TODAY, final_amount=Decimal("100"), currency="USD")
    deal(alfa, status=DealStatus.WON, closed_on=TODAY, final_amount=Decimal("500"), currency="BRL")  # 125 USD
    deal(beta, status=DealStatus.WON, closed_on=TODAY, final_amount=Decimal("125"), currency="USD")  # 100 EUR
    deal(beta, status=DealStatus.LOST, closed_on=TODAY, final_amount=Decimal("999"), currency="EUR")
    values = metric_values("deals.won_revenue", [alfa.pk, beta.pk], Period(since=TODAY))
    assert values == {alfa.pk: Decimal("225.00"), beta.pk: Decimal("100.00")}


def _partners_with_deals(count):
    made = [PartnerFactory() for _ in range(count)]
    for partner in made:
        for currency in ("USD", "BRL"):
            deal(
                partner,
                status=DealStatus.WON,
                submitted_at=at(TODAY),
                approved_at=at(TODAY),
                closed_on=TODAY,
                final_amount=Decimal("10"),
                currency=currency,
            )
    return [partner.pk for partner in made]


@pytest.mark.parametrize(
    ("name", "queries"),
    [("deals.registered", 1), ("deals.approved", 1), ("deals.won", 1), ("deals.won_revenue", 2)],
)
def test_one_query_per_deal_metric_however_many_partners(db, django_assert_num_queries, name, queries):
    few, many = _partners_with_deals(1), _partners_with_deals(12)
    period = Period(since=TODAY)
    with django_assert_num_queries(queries):  # won revenue: the deals, then the rates they need
        metric_values(name, few, period)
    with django_assert_num_queries(queries):
        values = metric_values(name, many, period)
    assert set(values) == set(many)


# --- lead distribution ----------------------------------------------------------------------------


def test_lead_metrics_count_acceptances_and_conversions_in_the_period(partners):
    alfa, beta = partners
    period = Period(since=TODAY, until=TODAY)
    converted = lead(alfa, status=LeadStatus.CONVERTED, accepted_at=at(TODAY), closed_at=at(TODAY))
    LeadAssignment.objects.create(
        lead=converted,
        partner=alfa,
        strategy=AssignmentStrategy.MANUAL,
        assigned_at=at(TODAY, 9),
        accepted_at=at(TODAY, 10),
        ended_at=at(TODAY, 11),
        outcome=AssignmentOutcome.CONVERTED,
    )
    recalled = lead(beta, status=LeadStatus.OFFERED)
    LeadAssignment.objects.create(  # Alfa accepted it, then staff gave it to Beta: it still counts for Alfa
        lead=recalled,
        partner=alfa,
        strategy=AssignmentStrategy.MANUAL,
        assigned_at=at(TODAY, 9),
        accepted_at=at(TODAY, 10),
        ended_at=at(TODAY, 11),
        outcome=AssignmentOutcome.RECALLED,
    )
    lead(beta, status=LeadStatus.CONVERTED, closed_at=at(TODAY - datetime.timedelta(1)))  # the day before
    lead(beta, status=LeadStatus.LOST, closed_at=at(TODAY))
    ids = [alfa.pk, beta.pk]
    assert metric_values("leads.accepted", ids, period) == {alfa.pk: 2, beta.pk: 0}
    assert metric_values("leads.converted", ids, period) == {alfa.pk: 1, beta.pk: 0}


@pytest.mark.parametrize("name", ["leads.accepted", "leads.converted"])
def test_one_query_per_lead_metric_however_many_partners(db, django_assert_num_queries, name):
    made = [PartnerFactory() for _ in range(6)]
    for partner in made:
        lead(partner, status=LeadStatus.CONVERTED, closed_at=at(TODAY))
    for count in (1, 6):
        with django_assert_num_queries(1):
            metric_values(name, [partner.pk for partner in made[:count]], Period(since=TODAY))
