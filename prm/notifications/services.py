import json
import logging
import threading
from contextlib import contextmanager
from datetime import timedelta
from functools import partial

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from prm.redis_outage import note_redis_failure, redis_failed_in_request

from .emails import render_notification
from .kinds import require_kinds
from .models import EmailStatus, Notification, NotificationPreference
from .selectors import notifications_for

logger = logging.getLogger(__name__)

MAX_EMAIL_ATTEMPTS = 5
SWEEP_BATCH_SIZE = 200
SWEEP_GRACE_SECONDS = 30
DELIVERY_CHUNK = 50  # notifications per delivery task handed to Celery by notify_many()


def notify(
    *,
    recipient=None,
    kind: str,
    dedupe_key: str,
    params: dict | None = None,
    url: str = "",
    to_email: str = "",
    language: str = "",
) -> Notification:
    """Write the outbox row in the caller's transaction and schedule its delivery after commit.

    The row commits or rolls back with the change it reports. The same dedupe_key never makes
    two notifications: the existing one is returned and nothing is sent again. Someone without
    an account (an applicant) is notified by ``to_email`` and ``language`` instead of ``recipient``.
    A ``kind`` nobody registered (``prm.notifications.kinds``) raises ``UnknownNotificationKind``.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must be called inside the transaction of the change it reports.")
    if recipient is None and not to_email:
        raise ValueError("notify() needs a recipient or an email address.")
    require_kinds([kind])
    row = {
        "recipient": recipient,
        "to_email": to_email,
        "language": language,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "params": params or {},
        "url": url,
    }
    now = timezone.now()
    ids = _insert([row], now)
    if not ids:  # the key exists: written before, or by a transaction that committed meanwhile
        return Notification.objects.get(dedupe_key=dedupe_key)
    notification = Notification(pk=ids[0], created_at=now, email_status=EmailStatus.PENDING, email_attempts=0, **row)
    notification._state.adding = False
    notification._state.db = transaction.get_connection().alias
    transaction.on_commit(partial(enqueue_delivery, notification.pk))
    return notification


def _insert(items: list[dict], now) -> list[int]:
    """One INSERT of the rows whose dedupe_key is new, in order; the ids written."""
    table = Notification._meta.db_table
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (recipient_id, to_email, language, kind, dedupe_key, params, url,
                created_at, email_status, email_attempts)
            SELECT v.recipient_id, v.to_email, v.language, v.kind, v.dedupe_key, v.params::jsonb, v.url, %s, %s, 0
            FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[])
                WITH ORDINALITY AS v(recipient_id, to_email, language, kind, dedupe_key, params, url, n)
            ORDER BY v.n
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id""",  # noqa: S608 (model table; values are parameters)
            [
                now,
                EmailStatus.PENDING,
                [item["recipient"].pk if item.get("recipient") is not None else None for item in items],
                [item.get("to_email", "") for item in items],
                [item.get("language", "") for item in items],
                [item["kind"] for item in items],
                [item["dedupe_key"] for item in items],
                [json.dumps(item.get("params") or {}) for item in items],
                [item.get("url", "") for item in items],
            ],
        )
        return [pk for (pk,) in cursor.fetchall()]


def notify_many(items: list[dict]) -> list[int]:
    """``notify()`` for many rows at once: one INSERT, and their deliveries handed to Celery after
    commit in tasks of ``DELIVERY_CHUNK`` rows. Each item takes notify()'s keyword arguments
    (``recipient``, ``kind``, ``dedupe_key``, ``params``, ``url``); an item whose dedupe_key exists
    already is skipped, as notify() skips it. Returns the ids of the rows written."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify_many() must be called inside the transaction of the change it reports.")
    if not items:
        return []
    if any(item.get("recipient") is None for item in items):
        raise ValueError("notify_many() needs a recipient for every row.")
    require_kinds({item["kind"] for item in items})
    ids = _insert(items, timezone.now())
    if ids:
        transaction.on_commit(partial(enqueue_deliveries, ids))
    return ids


def _publish(task, args) -> bool:
    """Queue ``task`` without retries; False when the broker did not take it. A request whose Redis
    already failed does not wait on it again (ADR 0008)."""
    if redis_failed_in_request():
        return False
    try:
        task.apply_async(args, retry=False)
    except Exception:
        note_redis_failure()
        return False
    return True


_batch = threading.local()


@contextmanager
def deliveries_batched():
    """Hand the deliveries queued after commit within the block to Celery when the block ends,
    ``DELIVERY_CHUNK`` rows per task, instead of one task per change (a sweep batch of many changes).
    Only what committed is queued: a rolled-back savepoint's after-commit callbacks never run."""
    outer = getattr(_batch, "ids", None)
    _batch.ids = ids = []
    try:
        yield
    finally:
        _batch.ids = outer
        if outer is not None:
            outer.extend(ids)
        elif ids:
            enqueue_deliveries(ids)


def _batched(notification_ids: list[int]) -> bool:
    ids = getattr(_batch, "ids", None)
    if ids is None:
        return False
    ids.extend(notification_ids)
    return True


def enqueue_delivery(notification_id: int) -> None:
    """Hand the delivery to Celery. When the broker is down the row stays pending for the sweeper."""
    from .tasks import deliver_notification

    if _batched([notification_id]):
        return
    if not _publish(deliver_notification, (notification_id,)):
        logger.warning("Notification %s left to the outbox sweeper (broker unavailable).", notification_id)


def enqueue_deliveries(notification_ids: list[int]) -> None:
    """Hand many deliveries to Celery, ``DELIVERY_CHUNK`` rows per task; what the broker does not take
    stays pending for the sweeper."""
    from .tasks import deliver_notifications

    if _batched(notification_ids):
        return
    for start in range(0, len(notification_ids), DELIVERY_CHUNK):
        chunk = notification_ids[start : start + DELIVERY_CHUNK]
        if not _publish(deliver_notifications, (chunk,)):
            logger.warning(
                "%s notifications left to the outbox sweeper (broker unavailable).", len(notification_ids) - start
            )
            return


def wants_email(user, kind: str) -> bool:
    pref = NotificationPreference.objects.filter(user=user, kind=kind).values_list("email", flat=True).first()
    return True if pref is None else pref


def notification_deliver(*, notification_id: int) -> str | None:
    """Send the email of one pending notification; returns the new email status, or None.

    The row stays locked (FOR UPDATE SKIP LOCKED) from the check to the status update, so two
    workers never send the same email: the second one skips the row, or finds it no longer
    pending. A crash between the send and the commit sends again (at least once).
    A failed send stays pending for the sweeper until MAX_EMAIL_ATTEMPTS, then fails.
    """
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
        address = user.email if user else notification.to_email
        if user is not None and not (user.is_active and user.email and wants_email(user, notification.kind)):
            notification.email_status = EmailStatus.SKIPPED
            notification.save(update_fields=["email_status"])
            return notification.email_status
        notification.email_attempts += 1
        try:
            subject, text, html = render_notification(notification)
            send_mail(subject, text, None, [address], html_message=html)
        except Exception:
            logger.exception(
                "Email of notification %s failed (attempt %s).", notification.pk, notification.email_attempts
            )
            if notification.email_attempts >= MAX_EMAIL_ATTEMPTS:
                notification.email_status = EmailStatus.FAILED
            notification.save(update_fields=["email_attempts", "email_status"])
            return notification.email_status
        notification.email_status = EmailStatus.SENT
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["email_status", "emailed_at", "email_attempts"])
        return notification.email_status


def pending_notification_ids(
    *, older_than_seconds: int = SWEEP_GRACE_SECONDS, limit: int = SWEEP_BATCH_SIZE
) -> list[int]:
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return list(
        Notification.objects.filter(email_status=EmailStatus.PENDING, created_at__lte=cutoff)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_sweep(*, older_than_seconds: int = SWEEP_GRACE_SECONDS, limit: int = SWEEP_BATCH_SIZE) -> int:
    """Deliver, in one bounded batch, what the after-commit task did not (broker or worker down,
    failed send). Rows younger than older_than_seconds are left to the after-commit task.
    Each row is delivered in its own short transaction. Returns the number of emails sent.
    """
    sent = 0
    for pk in pending_notification_ids(older_than_seconds=older_than_seconds, limit=limit):
        if notification_deliver(notification_id=pk) == EmailStatus.SENT:
            sent += 1
    return sent


def notification_mark_read(*, actor, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read. Another user's answers DoesNotExist."""
    notification = notifications_for(actor).get(pk=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, actor) -> int:
    return notifications_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_preferences_set(*, actor, email_by_kind: dict[str, bool]) -> None:
    with transaction.atomic():
        for kind, email in email_by_kind.items():
            NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"email": email})
