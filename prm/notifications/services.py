import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation

from .models import EmailStatus, Notification, NotificationPreference

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5


def notify(*, recipient, kind: str, dedupe_key: str, params: dict | None = None, url: str = "") -> Notification:
    """Write the outbox row in the caller's transaction; deliver after commit.

    The same dedupe_key never makes two notifications.
    """
    notification, created = Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={"recipient": recipient, "kind": kind, "params": params or {}, "url": url},
    )
    if created:
        transaction.on_commit(lambda: enqueue_delivery(notification.pk))
    return notification


def enqueue_delivery(notification_id: int) -> None:
    """Hand the delivery to Celery. When the broker is down the sweeper delivers later."""
    from .tasks import deliver_notification

    try:
        deliver_notification.apply_async((notification_id,), retry=False)
    except Exception:  # broker unreachable: the row stays pending, sweep_outbox picks it up
        logger.warning("Notification %s queued for the outbox sweeper (broker unavailable).", notification_id)


def wants_email(user, kind: str) -> bool:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return True if pref is None else pref


def notification_deliver(*, notification_id: int) -> str | None:
    """Send the email of one pending notification. Safe to run twice and concurrently."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(pk=notification_id, email_status=EmailStatus.PENDING)
            .first()
        )
        if notification is None:
            return None
        user = notification.recipient
        if not (user.is_active and user.email and wants_email(user, notification.kind)):
            notification.email_status = EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            return notification.email_status
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject = notification.subject()
            body = notification.body()
            if notification.url:
                body = f"{body}\n\n{settings.SITE_URL}{notification.url}"
        try:
            send_mail(subject, body, None, [user.email])
        except Exception:
            notification.email_attempts += 1
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_status = EmailStatus.FAILED
            notification.save(update_fields=["email_attempts", "email_status"])
            logger.exception("Email of notification %s failed.", notification.pk)
            return notification.email_status
        notification.email_status = EmailStatus.SENT
        notification.emailed_at = timezone.now()
        notification.email_attempts += 1
        notification.save(update_fields=["email_status", "emailed_at", "email_attempts"])
        return notification.email_status


def pending_notification_ids(*, older_than_seconds: int = 30, limit: int = 500) -> list[int]:
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(email_status=EmailStatus.PENDING, created_at__lte=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, older_than_seconds: int = 30, limit: int = 500) -> int:
    """Deliver what the after-commit task did not (broker or worker was down). Returns count sent."""
    delivered = 0
    for pk in pending_notification_ids(older_than_seconds=older_than_seconds, limit=limit):
        if notification_deliver(notification_id=pk) == EmailStatus.SENT:
            delivered += 1
    return delivered


def notification_mark_read(*, actor, notification_id: int) -> int:
    return Notification.objects.filter(pk=notification_id, recipient=actor, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def notifications_mark_all_read(*, actor) -> int:
    return Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())


def notification_preferences_set(*, actor, email_by_kind: dict[str, bool]) -> None:
    with transaction.atomic():
        for kind, email in email_by_kind.items():
            NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"email": email})
