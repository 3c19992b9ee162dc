"""Money across currencies: exchange rates and the one conversion of the portal (ADR 0010).

``convert(amount, from_currency, to_currency, on)`` converts one amount at the rates of a date;
``sum_in(currency, rows)`` adds many amounts of several currencies and dates with one query,
``sums_in`` does so for several totals (one per partner, say) with one query for them all.
Both live in ``prm.money.conversion`` and are importable from here once the apps are loaded.
The currencies amounts are entered in are ``prm.money.currencies.Currency``.
"""

_PUBLIC = ("BASE_CURRENCY", "MissingRate", "convert", "sum_in", "sums_in")


def __getattr__(name):
    # Lazy, so that importing the package (as Django does for the app) does not load the models.
    if name in _PUBLIC:
        from . import conversion

        return getattr(conversion, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
