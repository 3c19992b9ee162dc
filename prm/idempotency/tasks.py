from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def purge_idempotency_keys() -> int:
    """Beat runs this every hour: expired idempotency keys are deleted."""
    return services.keys_purge()
