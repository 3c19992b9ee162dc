"""Celery tasks of the dashboards: thin, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def rollup_recent() -> int:
    """Beat: rebuild the daily figures of the trailing days (``services.RECENT_DAYS``) up to yesterday."""
    return services.rollup_recent().rows


@shared_task(ignore_result=True)
def activity_check() -> int:
    """Beat: keep the partners' activity and raise the inactivity alerts (once per episode)."""
    return services.activity_check().alerts


@shared_task(ignore_result=True)
def weekly_digests() -> int:
    """Beat, Monday morning: the week's digest to each CAM and each partner's admins."""
    return services.weekly_digests().sent
