"""The one conversion of money between currencies (ADR 0010).

A currency's rate on a date is the rate of that date or, failing that, of the nearest earlier date
(the ECB publishes none on weekends and TARGET holidays). Two currencies other than the euro are
crossed through the euro: ``amount × rate(to) / rate(from)``. The arithmetic is exact (34 digits)
and the result is rounded once, at the end, to cents with ROUND_HALF_EVEN.
"""

from __future__ import annotations

import bisect
import datetime
from collections.abc import Hashable, Iterable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, localcontext

from django.db.models import Q, Subquery
from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError

from .models import BASE_CURRENCY, ExchangeRate

CENT = Decimal("0.01")
PRECISION = 34


class MissingRate(ServiceError):
    """No rate of ``currency`` on or before ``on``: the amount cannot be converted."""

    def __init__(self, currency: str, on: datetime.date):
        super().__init__(
            _("No exchange rate for %(currency)s on %(date)s.") % {"currency": currency, "date": on.isoformat()},
            field="currency",
        )
        self.currency = currency
        self.on = on


def _code(currency: str) -> str:
    return (currency or "").strip().upper()


def _round(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


class RateTable:
    """The rates that a set of conversions needs, read in one query and looked up without any."""

    def __init__(self, series: dict[str, tuple[list[datetime.date], list[Decimal]]]):
        self._series = series

    @classmethod
    def load(cls, spans: dict[str, tuple[datetime.date, datetime.date]]) -> RateTable:
        """Rates of each currency over its span (first, last date) and the last one before the span."""
        spans = {currency: span for currency, span in spans.items() if currency != BASE_CURRENCY}
        series: dict[str, tuple[list, list]] = {currency: ([], []) for currency in spans}
        if not spans:
            return cls(series)
        condition = Q(pk__in=[])
        for currency, (first, last) in spans.items():
            # The rate in force on ``first`` may be older than ``first``: start from the last one on or before it.
            floor = ExchangeRate.objects.filter(currency=currency, date__lte=first).order_by("-date").values("date")[:1]
            condition |= Q(currency=currency, date__lte=last) & (Q(date__gte=first) | Q(date__gte=Subquery(floor)))
        rows = (
            ExchangeRate.objects.filter(condition).order_by("currency", "date").values_list("currency", "date", "rate")
        )
        for currency, date, rate in rows:
            dates, rates = series[currency]
            dates.append(date)
            rates.append(rate)
        return cls(series)

    def rate(self, currency: str, on: datetime.date) -> Decimal:
        """Units of ``currency`` per euro on ``on`` (the nearest earlier rate); MissingRate when there is none."""
        if currency == BASE_CURRENCY:
            return Decimal(1)
        dates, rates = self._series.get(currency, ((), ()))
        index = bisect.bisect_right(dates, on)
        if index == 0:
            raise MissingRate(currency, on)
        return rates[index - 1]

    def exact(self, amount: Decimal, from_currency: str, to_currency: str, on: datetime.date) -> Decimal:
        """``amount`` converted, unrounded."""
        if from_currency == to_currency:
            return Decimal(amount)
        rate_from, rate_to = self.rate(from_currency, on), self.rate(to_currency, on)
        with localcontext() as context:
            context.prec = PRECISION
            return Decimal(amount) * rate_to / rate_from


def convert(amount: Decimal, from_currency: str, to_currency: str, on: datetime.date) -> Decimal:
    """``amount`` in ``from_currency`` expressed in ``to_currency`` at the rates of ``on``, to the cent.

    Raises MissingRate when either currency has no rate on or before ``on``. The same currency on
    both sides reads nothing.
    """
    from_currency, to_currency = _code(from_currency), _code(to_currency)
    if from_currency == to_currency:
        return _round(Decimal(amount))
    table = RateTable.load({from_currency: (on, on), to_currency: (on, on)})
    return _round(table.exact(amount, from_currency, to_currency, on))


def sum_in(
    currency: str, rows: Iterable[tuple[Decimal, str, datetime.date]]
) -> tuple[Decimal, set[tuple[str, datetime.date]]]:
    """The total of ``rows`` (amount, currency, date) in ``currency``, and what could not be converted.

    Each amount is converted at the rates of its own date; rows of a currency and date without a
    rate are left out of the total and named in the second value as (currency, date) — the currency
    whose rate is missing, which may be ``currency`` itself. At most one query, however many rows.
    The total is rounded once, after the exact sum (so it may differ by a cent from adding rounded
    ``convert`` results).
    """
    return sums_in({None: (currency, rows)})[None]


def sums_in(
    groups: Mapping[Hashable, tuple[str, Iterable[tuple[Decimal, str, datetime.date]]]],
) -> dict[Hashable, tuple[Decimal, set[tuple[str, datetime.date]]]]:
    """``sum_in`` of several groups at once, each ``key: (currency, rows)``, with at most one query
    for all of them: ``{key: (total, missing)}``."""
    groups = {
        key: (_code(currency), [(Decimal(amount), _code(code), on) for amount, code, on in rows if amount is not None])
        for key, (currency, rows) in groups.items()
    }
    spans: dict[str, tuple[datetime.date, datetime.date]] = {}
    for currency, rows in groups.values():
        for _amount, code, on in rows:
            if code == currency:
                continue
            for needed in (code, currency):
                first, last = spans.get(needed, (on, on))
                spans[needed] = (min(first, on), max(last, on))
    table = RateTable.load(spans)
    totals = {}
    # One precision context for every row (``exact``'s arithmetic, without entering a context per
    # row: a partner's year of won deals is hundreds of rows on its home page).
    with localcontext() as context:
        context.prec = PRECISION
        for key, (currency, rows) in groups.items():
            total, missing = Decimal(0), set()
            for amount, code, on in rows:
                if code == currency:
                    total += amount
                    continue
                try:
                    rate_from, rate_to = table.rate(code, on), table.rate(currency, on)
                except MissingRate as error:
                    missing.add((error.currency, error.on))
                    continue
                total += amount * rate_to / rate_from
            totals[key] = (total, missing)
    return {key: (_round(total), missing) for key, (total, missing) in totals.items()}
