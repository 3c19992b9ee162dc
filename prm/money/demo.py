"""Demo exchange rates; called by prm.demo.seed_demo() before the apps whose amounts are converted."""

import datetime
from decimal import Decimal

# Euro-based as the ECB publishes them (ADR 0010): a smooth made-up series per currency, on
# weekdays, from 400 days before today (or an earlier date an app asks for) to today. The same date
# always gets the same rate, so seeding again changes nothing.
DEMO_RATES = {"USD": (1.08, 0.04, 45.0), "BRL": (5.90, 0.30, 60.0)}  # mean, swing, period in days
HISTORY_DAYS = 400


def demo_rate(currency: str, date: datetime.date) -> Decimal:
    import math

    mean, swing, period = DEMO_RATES[currency]
    return Decimal(f"{mean + swing * math.sin(date.toordinal() / period):.4f}")


def seed_rates(since: datetime.date | None = None) -> None:
    """The demo rates from ``since`` (at the latest 400 days ago) to today."""
    from django.utils import timezone

    from .services import exchange_rates_load

    today = timezone.localdate()
    day = min(since or today, today - datetime.timedelta(days=HISTORY_DAYS))
    rates = []
    while day <= today:
        if day.weekday() < 5:
            rates.extend((day, currency, demo_rate(currency, day)) for currency in DEMO_RATES)
        day += datetime.timedelta(days=1)
    exchange_rates_load(actor=None, rates=rates, source="demo data")


def seed() -> None:
    # Before the deals: they are converted into the program's currency at submission (second approval).
    seed_rates()
