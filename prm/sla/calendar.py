"""Business-time arithmetic on a BusinessCalendar.

Working hours are wall-clock times in the calendar's own time zone, so a day that changes
to or from daylight-saving time still opens and closes at the same local hours. Everything
is computed on aware datetimes converted to UTC: a business second is a real second inside
working hours of a working day that is not a holiday.

A time outside working hours counts from the next opening. The holidays of a calendar are
read once per computation (or once per `Schedule`, which can be reused).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = datetime.UTC

# A calendar whose working days never come (every day a holiday for years) is a configuration
# error; arithmetic stops looking after this many days instead of looping for ever.
MAX_SEARCH_DAYS = 366 * 20


class CalendarError(ValueError):
    """The calendar cannot produce business time (no working day, empty working hours)."""


@dataclass(frozen=True)
class Schedule:
    """A calendar loaded into memory: time zone, working days and hours, holidays."""

    tz: ZoneInfo
    working_days: frozenset[int]
    work_starts: datetime.time
    work_ends: datetime.time
    holidays: frozenset[datetime.date]

    @classmethod
    def from_calendar(cls, calendar, holidays=None) -> Schedule:
        """Load `calendar` with one query for its holidays (none when `holidays` is given)."""
        if holidays is None:
            holidays = calendar.holidays.values_list("date", flat=True)
        schedule = cls(
            tz=ZoneInfo(calendar.time_zone),
            working_days=frozenset(int(day) for day in calendar.working_days),
            work_starts=calendar.work_starts,
            work_ends=calendar.work_ends,
            holidays=frozenset(holidays),
        )
        if not schedule.working_days or schedule.work_ends <= schedule.work_starts:
            raise CalendarError(f"Calendar {calendar} has no working time.")
        return schedule

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.working_days and day not in self.holidays

    def window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        """Opening and closing of a local day, in UTC."""
        opens = datetime.datetime.combine(day, self.work_starts, tzinfo=self.tz).astimezone(UTC)
        closes = datetime.datetime.combine(day, self.work_ends, tzinfo=self.tz).astimezone(UTC)
        return opens, closes

    def local_date(self, moment: datetime.datetime) -> datetime.date:
        return moment.astimezone(self.tz).date()


def working_seconds_per_day(calendar) -> int:
    """The length of a working day in seconds, of a BusinessCalendar or a Schedule."""
    start = datetime.datetime.combine(datetime.date(2000, 1, 3), calendar.work_starts)
    end = datetime.datetime.combine(datetime.date(2000, 1, 3), calendar.work_ends)
    return int((end - start).total_seconds())


def as_schedule(calendar) -> Schedule:
    return calendar if isinstance(calendar, Schedule) else Schedule.from_calendar(calendar)


def _require_aware(moment: datetime.datetime, name: str) -> datetime.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime.")
    return moment.astimezone(UTC)


def add_business_time(calendar, start: datetime.datetime, seconds: float) -> datetime.datetime:
    """The moment (UTC) when `seconds` of business time have passed since `start`.

    A start outside working hours counts from the next opening; with 0 seconds the answer
    is that opening (or `start` itself during working hours).
    """
    if seconds < 0:
        raise ValueError("seconds must not be negative.")
    schedule = as_schedule(calendar)
    cursor = _require_aware(start, "start")
    remaining = datetime.timedelta(seconds=seconds)
    day = schedule.local_date(cursor)
    for _ in range(MAX_SEARCH_DAYS):
        if schedule.is_working_day(day):
            opens, closes = schedule.window(day)
            begin = max(cursor, opens)
            if begin < closes:
                available = closes - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += datetime.timedelta(days=1)
    raise CalendarError(f"No working time within {MAX_SEARCH_DAYS} days of {start.isoformat()}.")


def business_seconds_between(calendar, a: datetime.datetime, b: datetime.datetime) -> int:
    """Whole business seconds between `a` and `b` (0 when `b` is not after `a`)."""
    schedule = as_schedule(calendar)
    a = _require_aware(a, "a")
    b = _require_aware(b, "b")
    if b <= a:
        return 0
    total = datetime.timedelta()
    day = schedule.local_date(a)
    last = schedule.local_date(b)
    while day <= last:
        if schedule.is_working_day(day):
            opens, closes = schedule.window(day)
            begin, end = max(a, opens), min(b, closes)
            if begin < end:
                total += end - begin
        day += datetime.timedelta(days=1)
    return int(total.total_seconds())
