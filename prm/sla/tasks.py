import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task(bind=True, ignore_result=True)
def sweep_deadlines(self, batch_size: int = 100, max_batches: int = 50) -> int:
    """Beat sends this every minute to the ``sweeps`` queue; any number may run at once (see
    services.deadlines_sweep). After its first full batch a sweep queues one more sweep: a backlog
    is shared by as many sweepers as the sweeps worker runs at once, and worked off without waiting
    a minute per ``max_batches`` batches (docs/adr/0009-task-queues.md). Run eagerly (tests), it
    sweeps alone."""

    def queue_another():
        try:
            sweep_deadlines.apply_async(kwargs={"batch_size": batch_size, "max_batches": max_batches}, retry=False)
        except Exception as exc:
            logger.warning(
                "SLA sweep: could not queue another sweep (%s); the rest is left to the next scheduled sweep.", exc
            )

    on_full_batch = None if self.request.is_eager else queue_another
    return services.deadlines_sweep(batch_size=batch_size, max_batches=max_batches, on_full_batch=on_full_batch).handled
