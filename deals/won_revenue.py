"""A partner's won revenue of the trailing year, converted by a task instead of at every visit.

The home page and the tier progress show the won revenue of the last 365 days in the program's
currency: the partner's won days (``PartnerDealDay``) converted at the rates of each day (ADR 0010),
a few hundred rows and rates for a busy partner. ``refresh()`` (the beat task
``deals.tasks.refresh_won_revenue``, every five minutes) converts them once per partner into
``PartnerWonRevenue``; ``fresh_won_revenue()`` gives the stored figure while it still holds, and
the page converts live otherwise, so a figure is never older than the data.

A stored figure holds while it is not ``stale``, is of today's period and in the program's
currency. Triggers of migration ``deals.0009`` mark it stale, and raise its ``version``, in the
transaction of any write that changes the partner's won days (a deal won, its amount or close date
changed, a won deal deleted) or any exchange rate. ``refresh()`` reads each row's version before it
converts and writes its figure only over that same version: a deal won while it converts leaves the
row stale for the next run, never a fresh figure without that deal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from prm.metrics import Period

from .models import PartnerWonRevenue

DAYS = 365
BATCH = 500


def period(today=None) -> Period:
    return Period.trailing(DAYS, today=today)


def fresh_won_revenue(partner, current: Period):
    """``(amount, missing)`` stored for ``partner`` over ``current`` (a trailing year), or None when
    the stored figure does not hold (then convert live). One query."""
    row = PartnerWonRevenue.objects.filter(
        partner_id=partner.pk, stale=False, since=current.since, days=DAYS, currency=partner.program.currency
    ).first()
    if row is None:
        return None
    return row.amount, {(currency, datetime.date.fromisoformat(day)) for currency, day in row.missing}


def refresh(*, today=None, batch: int = BATCH) -> int:
    """Convert the figure of every partner whose stored one does not hold (stale, of another day, in
    another currency); the number written. Idempotent: a second run writes nothing."""
    from partners.models import Partner

    from .metrics import won_revenue_with_missing

    current = period(today)
    with connection.cursor() as cursor:  # every partner has its row, stale until converted
        cursor.execute(
            "INSERT INTO deals_partnerwonrevenue (partner_id, days, currency, amount, missing, stale, version)"
            " SELECT id, 0, '', 0, '[]', true, 0 FROM partners_partner ON CONFLICT DO NOTHING"
        )
    currencies = dict(Partner.objects.values_list("pk", "program__currency"))
    todo = [
        (partner_id, version)
        for partner_id, version, since, days, currency, stale in PartnerWonRevenue.objects.values_list(
            "partner_id", "version", "since", "days", "currency", "stale"
        ).order_by("partner_id")
        if stale or since != current.since or days != DAYS or currency != currencies.get(partner_id)
    ]
    written = 0
    for start in range(0, len(todo), batch):
        chunk = todo[start : start + batch]
        figures = won_revenue_with_missing([partner_id for partner_id, _version in chunk], current)
        now = timezone.now()
        for partner_id, version in chunk:
            amount, missing = figures.get(partner_id, (Decimal("0.00"), set()))
            written += PartnerWonRevenue.objects.filter(partner_id=partner_id, version=version).update(
                since=current.since,
                days=DAYS,
                currency=currencies.get(partner_id) or "",
                amount=amount,
                missing=[[currency, day.isoformat()] for currency, day in sorted(missing)],
                stale=False,
                computed_at=now,
            )
    return written
