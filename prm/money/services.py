"""Writes of exchange rates: one rate by hand (the admin) or many at once (the ECB loader, the demo).

Keyword-only arguments with an explicit ``actor`` (``None`` is the system: the loader command, its
task, the demo data); one transaction each; one audit event per write, one per load.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError

from .models import BASE_CURRENCY, CURRENCY_CODE_REGEX, ExchangeRate

RATE_FIELDS = ("date", "currency", "rate")
MAX_RATE = Decimal("1e12")  # the column holds 12 digits before the point and 8 after
RATE_PLACES = 8


def _require(actor, permission: str) -> None:
    if actor is None:
        return  # the system
    if not (
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_staff and actor.has_perm(permission)
    ):
        raise PermissionDenied(_("You may not manage exchange rates."))


def exchange_rate_validate(*, date, currency, rate) -> dict:
    """The normalised fields of a rate; ServiceError naming the field when one is wrong."""
    if isinstance(date, str):
        try:
            date = datetime.date.fromisoformat(date.strip())
        except ValueError:
            date = None
    if not isinstance(date, datetime.date) or isinstance(date, datetime.datetime):
        raise ServiceError(_("Enter the date of the rate."), field="date")
    if date > timezone.localdate() + datetime.timedelta(days=1):
        raise ServiceError(_("A rate cannot be dated in the future."), field="date")
    currency = (currency or "").strip().upper() if isinstance(currency, str) else ""
    if not re.match(CURRENCY_CODE_REGEX, currency):
        raise ServiceError(_("Enter a three-letter ISO 4217 currency code, such as BRL."), field="currency")
    if currency == BASE_CURRENCY:
        raise ServiceError(
            _("%(code)s is the base currency: its rate is always 1.") % {"code": BASE_CURRENCY}, field="currency"
        )
    try:
        rate = Decimal(str(rate).strip()) if rate is not None and not isinstance(rate, bool) else None
    except InvalidOperation:
        rate = None
    if (
        rate is None
        or not rate.is_finite()
        or rate <= 0
        or rate >= MAX_RATE
        or -rate.normalize().as_tuple().exponent > RATE_PLACES
    ):
        raise ServiceError(
            _("Enter the rate as a positive number with at most 8 decimal places (units per 1 %(code)s).")
            % {"code": BASE_CURRENCY},
            field="rate",
        )
    return {"date": date, "currency": currency, "rate": rate}


def _taken(currency: str, date: datetime.date, exclude_pk=None) -> None:
    if ExchangeRate.objects.filter(currency=currency, date=date).exclude(pk=exclude_pk).exists():
        raise ServiceError(_("This currency already has a rate on that date."), field="date")


def _data(rate: ExchangeRate) -> dict:
    return {"date": rate.date.isoformat(), "currency": rate.currency, "rate": str(rate.rate)}


@transaction.atomic
def exchange_rate_create(*, actor, date, currency, rate) -> ExchangeRate:
    _require(actor, "money.add_exchangerate")
    data = exchange_rate_validate(date=date, currency=currency, rate=rate)
    _taken(data["currency"], data["date"])
    created = ExchangeRate.objects.create(**data)
    audit_record(actor=actor, action="exchange_rate.created", obj=created, data=_data(created))
    return created


@transaction.atomic
def exchange_rate_update(*, actor, exchange_rate: ExchangeRate, **fields) -> ExchangeRate:
    _require(actor, "money.change_exchangerate")
    unknown = set(fields) - set(RATE_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    locked = ExchangeRate.objects.select_for_update().get(pk=exchange_rate.pk)
    current = {name: getattr(locked, name) for name in RATE_FIELDS}
    data = exchange_rate_validate(**{**current, **fields})
    changes = {name: [str(current[name]), str(value)] for name, value in data.items() if value != current[name]}
    if changes:
        _taken(data["currency"], data["date"], exclude_pk=locked.pk)
        for name, value in data.items():
            setattr(locked, name, value)
        locked.save()
        audit_record(
            actor=actor, action="exchange_rate.changed", obj=locked, reason=", ".join(sorted(changes)), data=changes
        )
    return locked


@transaction.atomic
def exchange_rate_delete(*, actor, exchange_rate: ExchangeRate) -> None:
    _require(actor, "money.delete_exchangerate")
    locked = ExchangeRate.objects.select_for_update().filter(pk=exchange_rate.pk).first()
    if locked is None:
        return
    audit_record(actor=actor, action="exchange_rate.deleted", obj=locked, data=_data(locked))
    locked.delete()


@dataclass(frozen=True)
class LoadResult:
    created: int
    changed: int
    unchanged: int
    dates: tuple[datetime.date, ...]

    @property
    def total(self) -> int:
        return self.created + self.changed + self.unchanged


@transaction.atomic
def exchange_rates_load(*, actor, rates: Iterable[tuple], source: str) -> LoadResult:
    """Insert or update many rates (date, currency, rate) at once; the same rates again change nothing.

    Every rate is checked before anything is written: one wrong rate refuses the whole load. A load
    that changes something writes one audit event (the source, the counts, the dates).
    """
    _require(actor, "money.add_exchangerate")
    _require(actor, "money.change_exchangerate")
    wanted: dict[tuple[str, datetime.date], Decimal] = {}
    for date, currency, rate in rates:
        data = exchange_rate_validate(date=date, currency=currency, rate=rate)
        key = (data["currency"], data["date"])
        if key in wanted and wanted[key] != data["rate"]:
            raise ServiceError(
                _("Two different rates for %(currency)s on %(date)s.")
                % {"currency": key[0], "date": key[1].isoformat()},
                field="rate",
            )
        wanted[key] = data["rate"]
    if not wanted:
        raise ServiceError(_("There are no exchange rates to load."))
    dates = sorted({date for _currency, date in wanted})
    existing = {
        (currency, date): rate
        for currency, date, rate in ExchangeRate.objects.filter(
            currency__in={currency for currency, _date in wanted}, date__gte=dates[0], date__lte=dates[-1]
        ).values_list("currency", "date", "rate")
    }
    to_write = [
        ExchangeRate(currency=currency, date=date, rate=rate)
        for (currency, date), rate in wanted.items()
        if existing.get((currency, date)) != rate
    ]
    ExchangeRate.objects.bulk_create(
        to_write,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["currency", "date"],
        update_fields=["rate", "updated_at"],
    )
    created = sum(1 for rate in to_write if (rate.currency, rate.date) not in existing)
    result = LoadResult(
        created=created, changed=len(to_write) - created, unchanged=len(wanted) - len(to_write), dates=tuple(dates)
    )
    if not to_write:
        return result  # nothing changed: no write, no audit event
    audit_record(
        actor=actor,
        action="exchange_rates.loaded",
        reason=source[:500],
        data={
            "created": result.created,
            "changed": result.changed,
            "unchanged": result.unchanged,
            "first_date": dates[0].isoformat(),
            "last_date": dates[-1].isoformat(),
            "currencies": sorted({currency for currency, _date in wanted}),
        },
    )
    return result
