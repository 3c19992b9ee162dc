"""Demo data of the dashboards: the daily figures of the demo's history, rolled up as the beat task
and the backfill would, and the partners' activity as the hourly check finds it (the apps before
this one have seeded their data; a demo partner without activity for 30 days is listed inactive and
its CAM alerted once)."""

import datetime

from django.utils import timezone

from .services import activity_check, rollup

DEMO_DAYS = 3 * 365


def seed() -> None:
    with timezone.override(timezone.get_default_timezone()):
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
    rollup(since=yesterday - datetime.timedelta(days=DEMO_DAYS - 1), until=yesterday, trigger="demo")
    activity_check()
