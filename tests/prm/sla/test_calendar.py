import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from prm.sla.calendar import CalendarError, Schedule, add_business_time, business_seconds_between
from prm.sla.models import BusinessCalendar
from tests.prm.sla.conftest import paris

HOUR = 3600
UTC = datetime.UTC


def utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def round_the_clock(db):
    """Every day, 00:00-06:00 in Paris: the night when the clocks change is a working night."""
    return BusinessCalendar.objects.create(
        name="Nights",
        time_zone="Europe/Paris",
        working_days=list(range(7)),
        work_starts=datetime.time(0),
        work_ends=datetime.time(6),
    )


def test_within_one_working_day(paris_calendar):
    due = add_business_time(paris_calendar, paris(2026, 3, 2, 10), 3 * HOUR)  # Monday
    assert due == paris(2026, 3, 2, 13)
    assert due.tzinfo == UTC


def test_runs_over_the_end_of_the_day(paris_calendar):
    assert add_business_time(paris_calendar, paris(2026, 3, 2, 16), 4 * HOUR) == paris(2026, 3, 3, 11)


def test_a_full_day_ends_at_closing_not_next_opening(paris_calendar):
    assert add_business_time(paris_calendar, paris(2026, 3, 2, 9), 9 * HOUR) == paris(2026, 3, 2, 18)


def test_friday_evening_start_counts_from_monday_opening(paris_calendar):
    friday_evening = paris(2026, 3, 6, 20, 30)
    assert add_business_time(paris_calendar, friday_evening, HOUR) == paris(2026, 3, 9, 10)
    assert add_business_time(paris_calendar, friday_evening, 0) == paris(2026, 3, 9, 9)


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (paris(2026, 3, 3, 7, 15), paris(2026, 3, 3, 10)),  # before opening
        (paris(2026, 3, 3, 18, 0), paris(2026, 3, 4, 10)),  # at closing
        (paris(2026, 3, 7, 11), paris(2026, 3, 9, 10)),  # Saturday
        (paris(2026, 3, 8, 23, 59), paris(2026, 3, 9, 10)),  # Sunday night
    ],
)
def test_start_outside_working_hours_counts_from_next_opening(paris_calendar, start, due):
    assert add_business_time(paris_calendar, start, HOUR) == due


def test_weekend_is_skipped(paris_calendar):
    # Friday 17:00 + 2 h: one hour on Friday, one on Monday.
    assert add_business_time(paris_calendar, paris(2026, 3, 13, 17), 2 * HOUR) == paris(2026, 3, 16, 10)
    assert business_seconds_between(paris_calendar, paris(2026, 3, 13, 17), paris(2026, 3, 16, 10)) == 2 * HOUR


def test_holiday_is_skipped(paris_calendar):
    # Thursday 30 April 17:00 + 2 h: Friday 1 May is a holiday, so Monday 4 May 10:00.
    assert add_business_time(paris_calendar, paris(2026, 4, 30, 17), 2 * HOUR) == paris(2026, 5, 4, 10)
    assert business_seconds_between(paris_calendar, paris(2026, 4, 30, 0), paris(2026, 5, 4, 23)) == 18 * HOUR


def test_spring_forward_keeps_local_working_hours(paris_calendar):
    # Paris moves from UTC+1 to UTC+2 on Sunday 29 March 2026.
    due = add_business_time(paris_calendar, paris(2026, 3, 27, 17), 2 * HOUR)
    assert due == paris(2026, 3, 30, 10)
    assert due == utc(2026, 3, 30, 8)
    assert business_seconds_between(paris_calendar, utc(2026, 3, 27, 16), utc(2026, 3, 30, 8)) == 2 * HOUR


def test_fall_back_keeps_local_working_hours(paris_calendar):
    # Paris moves from UTC+2 to UTC+1 on Sunday 25 October 2026.
    due = add_business_time(paris_calendar, paris(2026, 10, 23, 17), 2 * HOUR)
    assert due == paris(2026, 10, 26, 10)
    assert due == utc(2026, 10, 26, 9)


def test_the_night_the_clocks_change_has_an_hour_less_or_more(round_the_clock):
    spring = (paris(2026, 3, 29, 0), paris(2026, 3, 29, 6))
    autumn = (paris(2026, 10, 25, 0), paris(2026, 10, 25, 6))
    assert business_seconds_between(round_the_clock, *spring) == 5 * HOUR
    assert business_seconds_between(round_the_clock, *autumn) == 7 * HOUR
    # 01:00 local + 2 business hours on the spring night: 02:00 does not exist, so 04:00 CEST.
    assert add_business_time(round_the_clock, paris(2026, 3, 29, 1), 2 * HOUR) == utc(2026, 3, 29, 2)
    assert add_business_time(round_the_clock, paris(2026, 3, 29, 5), 2 * HOUR) == paris(2026, 3, 30, 1)


def test_sao_paulo_answer_is_in_utc(db):
    calendar = BusinessCalendar.objects.create(name="SP", time_zone="America/Sao_Paulo")
    start = datetime.datetime(2026, 6, 1, 8, tzinfo=ZoneInfo("America/Sao_Paulo"))
    assert add_business_time(calendar, start, HOUR) == utc(2026, 6, 1, 13)


def test_between_undoes_add_across_weekends_holidays_and_clock_changes(paris_calendar):
    schedule = Schedule.from_calendar(paris_calendar)
    for first in (paris(2026, 3, 25), paris(2026, 4, 28), paris(2026, 10, 21)):
        for step in range(0, 7 * 24 * 60, 97):  # starts spread over a week, inside and outside hours
            start = first + datetime.timedelta(minutes=step)
            for seconds in (1, 1800, 9 * HOUR, 23 * HOUR + 17):
                due = add_business_time(schedule, start, seconds)
                assert business_seconds_between(schedule, start, due) == seconds, (start, seconds)


def test_holidays_are_read_once_per_computation(paris_calendar, django_assert_num_queries):
    with django_assert_num_queries(1):
        due = add_business_time(paris_calendar, paris(2026, 4, 1, 9), 40 * 9 * HOUR)
    with django_assert_num_queries(1):
        assert business_seconds_between(paris_calendar, paris(2026, 4, 1, 9), due) == 40 * 9 * HOUR


def test_between_is_zero_when_the_end_is_not_later(paris_calendar):
    assert business_seconds_between(paris_calendar, paris(2026, 3, 2, 12), paris(2026, 3, 2, 11)) == 0


def test_rejects_naive_times_and_negative_durations(paris_calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_time(paris_calendar, datetime.datetime(2026, 3, 2, 10), HOUR)
    with pytest.raises(ValueError, match="negative"):
        add_business_time(paris_calendar, paris(2026, 3, 2, 10), -1)


def test_calendar_without_working_days_is_an_error(db):
    calendar = BusinessCalendar.objects.create(name="Never", working_days=[])
    with pytest.raises(CalendarError):
        add_business_time(calendar, utc(2026, 3, 2, 10), HOUR)


def test_calendar_validation(db):
    calendar = BusinessCalendar(
        name="Bad",
        time_zone="Mars/Olympus",
        working_days=[0, 0, 9],
        work_starts=datetime.time(18),
        work_ends=datetime.time(9),
    )
    with pytest.raises(ValidationError) as error:
        calendar.full_clean()
    assert set(error.value.message_dict) >= {"time_zone", "working_days", "work_ends"}
