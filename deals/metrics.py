"""The figures of deal registration that other apps read (``prm.metrics``): one query per metric
however many partners are asked for (won revenue: one more for the exchange rates it needs), on the
partners' day figures (``deals.figures``), not on the registrations."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from prm.metrics import MONEY, Period, register_metric

from .models import PartnerDealDay


def _day_sums(column: str, partner_ids: list[int], period: Period) -> dict[int, int]:
    """The partners' sums of a column of their days in the period (``PartnerDealDay``, kept by the
    database as registrations change: no registration is read, ADR 0015)."""
    days = PartnerDealDay.objects.filter(period.dates("day"), partner_id__in=partner_ids)
    return dict(days.values("partner_id").annotate(n=Sum(column)).order_by().values_list("partner_id", "n"))


def deals_registered(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Registrations submitted for approval in the period (drafts never count)."""
    return _day_sums("submitted", partner_ids, period)


def deals_approved(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Registrations approved in the period, whatever became of them since."""
    return _day_sums("approved", partner_ids, period)


def deals_won(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Registrations closed as won with a close date in the period."""
    return _day_sums("won", partner_ids, period)


def won_revenue_with_missing(partner_ids, period: Period) -> dict[int, tuple]:
    """``{partner_id: (won revenue, missing)}``: the final amounts of the deals won in the period in
    the partner's program currency, each converted at the rates of its close date (ADR 0010), and
    the (currency, date) pairs without a rate, whose deals are left out. Two queries: the partners'
    days (one row per currency and close date: conversion is linear, so converting the day's sum is
    exact) and the rates."""
    from prm.money import sums_in

    rows = PartnerDealDay.objects.filter(period.dates("day"), partner_id__in=partner_ids, priced__gt=0).values_list(
        "partner_id", "partner__program__currency", "won_amount", "currency", "day"
    )
    groups: dict[int, tuple[str, list]] = {}
    for partner_id, program_currency, total, currency, closed_on in rows:
        groups.setdefault(partner_id, (program_currency, []))[1].append((total, currency, closed_on))
    return sums_in(groups)


def won_revenue(partner_ids: list[int], period: Period) -> dict:
    """Won revenue in the program currency (deals without an exchange rate left out)."""
    return {
        partner_id: total for partner_id, (total, _missing) in won_revenue_with_missing(partner_ids, period).items()
    }


def register() -> None:
    register_metric(
        "deals.registered",
        deals_registered,
        label=_("deal registrations submitted"),
        requirement=ngettext_lazy(
            "%(counter)s deal registration submitted", "%(counter)s deal registrations submitted", "counter"
        ),
    )
    register_metric(
        "deals.approved",
        deals_approved,
        label=_("approved deal registrations"),
        requirement=ngettext_lazy(
            "%(counter)s approved deal registration", "%(counter)s approved deal registrations", "counter"
        ),
    )
    register_metric(
        "deals.won",
        deals_won,
        label=_("deals won"),
        requirement=ngettext_lazy("%(counter)s deal won", "%(counter)s deals won", "counter"),
    )
    register_metric(
        "deals.won_revenue",
        won_revenue,
        label=_("won revenue in the program currency"),
        unit=MONEY,
        requirement=_("Won revenue over the last 12 months: %(amount)s"),
        public_requirement=_("%(currency)s %(amount)s won revenue in the last 12 months"),
    )
