"""The demo data has exchange rates for its period, so the demo partners' won revenue counts."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from deals.models import Deal, DealStatus
from deals.selectors import partner_deal_summary
from partners.models import Partner
from prm.audit.models import AuditEvent
from prm.money import convert
from prm.money.demo import DEMO_RATES, demo_rate
from prm.money.models import ExchangeRate


@pytest.mark.django_db
def test_the_demo_partners_won_revenue_is_converted_into_the_program_currency():
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    for name in ("Solaris Integração Ltda", "Lumière Solutions SARL"):
        partner = Partner.objects.select_related("program").get(name=name)
        won = Deal.objects.filter(partner=partner, status=DealStatus.WON)
        assert won.exists() and {deal.currency for deal in won} != {"USD"}
        summary = partner_deal_summary(partner)
        assert summary["currency"] == "USD" and summary["won_revenue_missing"] == []
        expected = sum(convert(deal.final_amount, deal.currency, "USD", deal.closed_on) for deal in won)
        assert summary["won_revenue_12m"] == expected > Decimal("1000")

    rates = ExchangeRate.objects.all()
    assert set(rates.values_list("currency", flat=True)) == set(DEMO_RATES) == {"BRL", "USD"}
    first = min(rates.values_list("date", flat=True))
    assert first <= today - datetime.timedelta(days=365)
    assert all(rate.date.weekday() < 5 and rate.rate == demo_rate(rate.currency, rate.date) for rate in rates)

    count, events = rates.count(), AuditEvent.objects.filter(action="exchange_rates.loaded").count()
    call_command("seed_demo", stdout=io.StringIO())
    assert ExchangeRate.objects.count() == count
    assert AuditEvent.objects.filter(action="exchange_rates.loaded").count() == events == 1
