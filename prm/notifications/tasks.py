from celery import shared_task

from . import services


@shared_task(acks_late=True)
def deliver_notification(notification_id: int) -> None:
    services.notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox() -> int:
    return services.outbox_sweep()
