"""Celery tasks of the dashboards: thin, safe to run twice."""

from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def rollup_recent() -> int:
    """Beat: rebuild the daily figures of the trailing days (``services.RECENT_DAYS``) up to yesterday."""
    return services.rollup_recent().rows
