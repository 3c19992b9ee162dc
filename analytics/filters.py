"""The filters of the program dashboard: a country (an ISO code) and a tier (its id), each narrowing the
partners of the viewer's scope (never widening it). A bad value is refused like a bad period: the
filter is left out, the page says why and answers 400."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from prm.countries import COUNTRIES
from prm.errors import ServiceError

FILTERS = ("country", "tier")


def dashboard_filters(params, tier_ids) -> tuple[dict, ServiceError | None]:
    """``({"country": "BR", "tier": 3}, error)`` from the parameters of a request: the filters given
    (the country a known code, the tier one of ``tier_ids``, those of the viewer's scope) and the
    error of the last one refused, which is left out."""
    filters: dict = {}
    error = None
    country = (params.get("country") or "").strip().upper()
    if country:
        if country in COUNTRIES:
            filters["country"] = country
        else:
            error = ServiceError(_("Choose a country from the list."), field="country")
    tier = (params.get("tier") or "").strip()
    if tier:
        if tier.isdigit() and int(tier) in set(tier_ids):
            filters["tier"] = int(tier)
        else:
            error = ServiceError(_("Choose a tier from the list."), field="tier")
    return filters, error


def filter_params(filters: dict) -> dict:
    """The parameters of an address that ask for ``filters`` (the inverse of ``dashboard_filters``)."""
    return {name: str(filters[name]) for name in FILTERS if filters.get(name) not in (None, "")}
