"""The periods a dashboard shows, each with the period it is compared with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError

MAX_DAYS = 3 * 366  # a custom period spans at most three years

CHOICES = (
    ("qtd", _("Quarter to date")),
    ("last_quarter", _("Last quarter")),
    ("12m", _("Last 12 months")),
    ("custom", _("Custom")),
)
DEFAULT = "12m"


@dataclass(frozen=True)
class DashboardPeriod:
    key: str
    since: datetime.date
    until: datetime.date
    previous_since: datetime.date
    previous_until: datetime.date

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _shift_quarter(day: datetime.date, quarters: int) -> datetime.date:
    months = day.year * 12 + day.month - 1 + 3 * quarters
    return datetime.date(months // 12, months % 12 + 1, 1)


def _years_back(day: datetime.date, years: int = 1) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _before(since: datetime.date, until: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The span of the same length just before."""
    length = until - since
    previous_until = since - datetime.timedelta(days=1)
    return previous_until - length, previous_until


def _date(value: str, field: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        raise ServiceError(_("Enter a valid date."), field=field) from None


def dashboard_period(key: str = "", since: str = "", until: str = "", *, today=None) -> DashboardPeriod:
    """The period of a dashboard from its parameters (an unknown key reads as the default); a custom
    period with bad dates is refused (ServiceError)."""
    today = today or timezone.localdate()
    key = key if key in dict(CHOICES) else DEFAULT
    if key == "qtd":
        start = _quarter_start(today)
        previous_start = _shift_quarter(start, -1)
        previous_end = min(previous_start + (today - start), start - datetime.timedelta(days=1))
        return DashboardPeriod(key, start, today, previous_start, previous_end)
    if key == "last_quarter":
        start = _shift_quarter(_quarter_start(today), -1)
        end = _quarter_start(today) - datetime.timedelta(days=1)
        return DashboardPeriod(key, start, end, _shift_quarter(start, -1), start - datetime.timedelta(days=1))
    if key == "12m":
        start = _years_back(today) + datetime.timedelta(days=1)
        previous_start = _years_back(start)
        return DashboardPeriod(key, start, today, previous_start, start - datetime.timedelta(days=1))
    first, last = _date(since, "since"), _date(until, "until")
    if last < first:
        raise ServiceError(_("The period ends before it starts."), field="until")
    if last > today:
        raise ServiceError(_("The period cannot end after today."), field="until")
    if (last - first).days + 1 > MAX_DAYS:
        raise ServiceError(_("A period spans at most three years."), field="since")
    return DashboardPeriod(key, first, last, *_before(first, last))
