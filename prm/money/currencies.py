"""The currencies the portal's amounts are in (deals, leads and the apps to come); plain choices, no table.

Exchange rates (``prm.money.models.ExchangeRate``) may hold any ISO 4217 code; an amount a partner
enters is in one of these.
"""

from django.db import models


class Currency(models.TextChoices):
    BRL = "BRL", "BRL"
    EUR = "EUR", "EUR"
    USD = "USD", "USD"
