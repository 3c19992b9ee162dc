"""Celery tasks of deal registration: thin, safe to run twice."""

from celery import shared_task

from . import won_revenue


@shared_task(ignore_result=True)
def refresh_won_revenue() -> int:
    """Beat: convert the partners' won revenue of the trailing year whose stored figure no longer holds."""
    return won_revenue.refresh()
