from celery import shared_task

from . import services


@shared_task(acks_late=True)
def deliver_notification(notification_id: int) -> None:
    """The fast path, queued after commit. Does nothing when the row is no longer pending."""
    services.notification_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def deliver_notifications(notification_ids: list[int]) -> None:
    """The fast path of a bulk write (notify_many): each row delivered as deliver_notification does."""
    for notification_id in notification_ids:
        services.notification_deliver(notification_id=notification_id)


@shared_task
def sweep_outbox() -> int:
    """The guarantee, run by beat every minute: one bounded batch of pending rows."""
    return services.outbox_sweep()
