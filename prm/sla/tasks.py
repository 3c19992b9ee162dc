import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def sweep_deadlines(batch_size: int = 100, max_batches: int = 50) -> int:
    """Beat sends this every minute to the ``sweeps`` queue; any number may run at once (see
    services.deadlines_sweep). A sweep that stopped at ``max_batches`` with work left queues the next
    one at once, so a backlog is worked off without waiting a minute per 5,000 deadlines; a sweep that
    lost its database connection leaves the rest to beat (docs/adr/0009-task-queues.md)."""
    result = services.deadlines_sweep(batch_size=batch_size, max_batches=max_batches)
    if result.at_bound:
        try:
            sweep_deadlines.apply_async(kwargs={"batch_size": batch_size, "max_batches": max_batches}, retry=False)
        except Exception as exc:
            logger.warning(
                "SLA sweep: could not queue the next sweep (%s); the rest is left to the next scheduled sweep.", exc
            )
    return result.handled
