from celery import shared_task

from . import services


@shared_task(ignore_result=True)
def sweep_deadlines(batch_size: int = 100, max_batches: int = 50) -> int:
    """Beat runs this every minute; any number may run at once (see services.deadlines_sweep)."""
    return services.deadlines_sweep(batch_size=batch_size, max_batches=max_batches).handled
