"""The figures of deal registration that other apps read (``prm.metrics``): one query per metric
however many partners are asked for (won revenue: one more for the exchange rates it needs), on the
partners' day figures (``deals.figures``), not on the registrations."""

from __future__ import annotations

from django.db.models import Max, Sum
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from prm.metrics import MONEY, Period, register_activity, register_metric
from prm.sla.metrics import clock_counts
from prm.sla.models import DeadlineState

from .models import DECISION_KIND, Deal, PartnerDealDay


def _day_sums(column: str, partner_ids: list[int], period: Period) -> dict[int, int]:
    """The partners' sums of a column of their days in the period (``PartnerDealDay``, kept by the
    database as registrations change: no registration is read, ADR 0015)."""
    days = PartnerDealDay.objects.filter(period.dates("day"), partner_id__in=partner_ids)
    return dict(days.values("partner_id").annotate(n=Sum(column)).order_by().values_list("partner_id", "n"))


def _daily_sums(column: str):
    """The daily selector of a column of the partners' days: ``{(partner_id, day): sum}``, one query."""

    def read(partner_ids: list[int], period: Period) -> dict:
        days = PartnerDealDay.objects.filter(period.dates("day"), partner_id__in=partner_ids)
        rows = days.values("partner_id", "day").annotate(n=Sum(column)).order_by().values_list("partner_id", "day", "n")
        return {(partner_id, day): n for partner_id, day, n in rows}

    return read


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


def won_revenue_daily(partner_ids: list[int], period: Period) -> dict:
    """Won revenue day by day (the close date), each day converted at its rates and rounded to the cent:
    ``{(partner_id, day): amount}``. Two queries."""
    from prm.money import sums_in

    rows = PartnerDealDay.objects.filter(period.dates("day"), partner_id__in=partner_ids, priced__gt=0).values_list(
        "partner_id", "partner__program__currency", "won_amount", "currency", "day"
    )
    groups: dict[tuple, tuple[str, list]] = {}
    for partner_id, program_currency, total, currency, closed_on in rows:
        groups.setdefault((partner_id, closed_on), (program_currency, []))[1].append((total, currency, closed_on))
    return {key: total for key, (total, _missing) in sums_in(groups).items()}


def deals_won_priced(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Deals won in the period that have a final amount (the won revenue's count: average deal size)."""
    return _day_sums("priced", partner_ids, period)


def deals_lost(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Registrations closed as lost in the period."""
    return _day_sums("lost", partner_ids, period)


def deals_rejected(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Registrations rejected in the period."""
    return _day_sums("rejected", partner_ids, period)


def deals_decided(partner_ids: list[int], period: Period) -> dict[int, int]:
    """Submitted registrations approved or rejected in the period."""
    return _day_sums("decided", partner_ids, period)


def deals_decision_seconds(partner_ids: list[int], period: Period) -> dict[int, int]:
    """The seconds from submission to decision of the registrations decided in the period, summed
    (divided by ``deals.decided``: the average time to a decision)."""
    return _day_sums("decision_seconds", partner_ids, period)


def won_revenue(partner_ids: list[int], period: Period) -> dict:
    """Won revenue in the program currency (deals without an exchange rate left out)."""
    return {
        partner_id: total for partner_id, (total, _missing) in won_revenue_with_missing(partner_ids, period).items()
    }


def last_registration(partner_ids: list[int], since) -> dict:
    """The moment each partner last created a registration (drafts included), from ``deal_partner_created``."""
    rows = Deal.objects.filter(partner_id__in=partner_ids)
    if since is not None:
        rows = rows.filter(created_at__gte=since)
    return dict(rows.values("partner_id").annotate(last=Max("created_at")).order_by().values_list("partner_id", "last"))


def register() -> None:
    register_activity("deals.registration", last_registration, label=_("a deal registration"))
    # The channel team's decisions against their clock (the vendor's SLA to the partner).
    on_time, on_time_daily = clock_counts((DECISION_KIND,), DeadlineState.MET)
    late, late_daily = clock_counts((DECISION_KIND,), DeadlineState.BREACHED)
    register_metric(
        "deals.decisions_on_time", on_time, daily=on_time_daily, label=_("decisions within their clock"), offered=False
    )
    register_metric(
        "deals.decisions_late", late, daily=late_daily, label=_("decisions past their clock"), offered=False
    )
    register_metric(
        "deals.registered",
        deals_registered,
        daily=_daily_sums("submitted"),
        label=_("deal registrations submitted"),
        requirement=ngettext_lazy(
            "%(counter)s deal registration submitted", "%(counter)s deal registrations submitted", "counter"
        ),
    )
    register_metric(
        "deals.approved",
        deals_approved,
        daily=_daily_sums("approved"),
        label=_("approved deal registrations"),
        requirement=ngettext_lazy(
            "%(counter)s approved deal registration", "%(counter)s approved deal registrations", "counter"
        ),
    )
    register_metric(
        "deals.won",
        deals_won,
        daily=_daily_sums("won"),
        label=_("deals won"),
        requirement=ngettext_lazy("%(counter)s deal won", "%(counter)s deals won", "counter"),
    )
    register_metric(
        "deals.won_revenue",
        won_revenue,
        daily=won_revenue_daily,
        label=_("won revenue in the program currency"),
        unit=MONEY,
        requirement=_("Won revenue over the last 12 months: %(amount)s"),
        public_requirement=_("%(currency)s %(amount)s won revenue in the last 12 months"),
    )
    # Figures of the dashboards, not offered as tier requirements.
    for name, selector, column, label in (
        ("deals.won_priced", deals_won_priced, "priced", _("deals won with a final amount")),
        ("deals.lost", deals_lost, "lost", _("deals lost")),
        ("deals.rejected", deals_rejected, "rejected", _("rejected deal registrations")),
        ("deals.decided", deals_decided, "decided", _("deal registrations decided")),
        (
            "deals.decision_seconds",
            deals_decision_seconds,
            "decision_seconds",
            _("seconds from submission to decision"),
        ),
    ):
        register_metric(name, selector, daily=_daily_sums(column), label=label, offered=False)
