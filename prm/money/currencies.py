"""The currencies the portal's amounts are in (deals, leads and the apps to come); plain choices, no table.

Exchange rates (``prm.money.models.ExchangeRate``) may hold any ISO 4217 code; an amount a partner
enters is in one of these. ``currency_of_country`` names the one a business of a country quotes in.
"""

from __future__ import annotations

from django.db import models


class Currency(models.TextChoices):
    BRL = "BRL", "BRL"
    EUR = "EUR", "EUR"
    USD = "USD", "USD"


# The countries whose own currency is one of ``Currency``: the euro area (members and the states
# that use the euro by agreement), Brazil, and the United States with the countries using the dollar.
_EURO_AREA = (
    "AT BE BG CY DE EE ES FI FR GR HR IE IT LT LU LV MT NL PT SI SK"  # members
    " AD MC SM VA"  # by monetary agreement
)
_DOLLAR = "US PR EC SV"
COUNTRY_CURRENCY = {
    "BR": Currency.BRL.value,
    **dict.fromkeys(_EURO_AREA.split(), Currency.EUR.value),
    **dict.fromkeys(_DOLLAR.split(), Currency.USD.value),
}


def currency_of_country(country: str, default: str) -> str:
    """The currency of ``country`` (ISO 3166 code) if amounts may be entered in it, else ``default``."""
    return COUNTRY_CURRENCY.get((country or "").strip().upper(), default)
