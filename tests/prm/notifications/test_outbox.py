import smtplib
import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone, translation

from prm.accounts.models import ApiToken
from prm.accounts.services import api_token_create
from prm.notifications import services
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.selectors import unread_count
from prm.notifications.services import (
    MAX_EMAIL_ATTEMPTS,
    notification_deliver,
    notification_preferences_set,
    notify,
    outbox_sweep,
)
from tests import factories

from .conftest import TEST_KIND


def _notify(user, key="k1", kind=TEST_KIND, **params):
    with transaction.atomic():
        return notify(recipient=user, kind=kind, dedupe_key=key, params=params)


def test_outbox_row_is_rolled_back_with_the_change(user, django_capture_on_commit_callbacks, celery_inline):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            api_token_create(actor=user, name="laptop")
            assert Notification.objects.filter(recipient=user).count() == 1
            raise RuntimeError("the change fails after the notification was written")

    assert not ApiToken.objects.filter(user=user).exists()
    assert not Notification.objects.exists()
    assert callbacks == []
    assert mail.outbox == []


def test_notify_refuses_to_run_outside_a_transaction(transactional_db):
    user = factories.UserFactory()
    with pytest.raises(RuntimeError):
        notify(recipient=user, kind=TEST_KIND, dedupe_key="outside")
    assert not Notification.objects.exists()


def test_the_same_dedupe_key_makes_one_notification(user, django_capture_on_commit_callbacks, celery_inline):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        first = _notify(user, key="deal:7:approved")
        second = _notify(user, key="deal:7:approved")

    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1


def test_after_commit_the_task_sends_one_email(user, django_capture_on_commit_callbacks, celery_inline):
    with django_capture_on_commit_callbacks(execute=True):
        token, _raw = api_token_create(actor=user, name="build server")
        assert mail.outbox == []

    notification = Notification.objects.get(dedupe_key=f"token-created:{token.pk}")
    assert notification.email_status == EmailStatus.SENT
    assert notification.email_attempts == 1
    assert notification.emailed_at is not None
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [user.email]
    assert email.subject == "A new API token was created: build server"
    assert "“build server”" in email.body
    assert f"{settings.SITE_URL}/profile/\n" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html" and f'href="{settings.SITE_URL}/profile/"' in html

    # The task arriving again (redelivery, or the sweeper) sends nothing more.
    assert notification_deliver(notification_id=notification.pk) is None
    assert outbox_sweep(older_than_seconds=0) == 0
    assert len(mail.outbox) == 1


def test_a_line_break_in_a_parameter_does_not_break_the_subject(
    user, django_capture_on_commit_callbacks, celery_inline
):
    with django_capture_on_commit_callbacks(execute=True):
        api_token_create(actor=user, name="first\nsecond")

    assert [email.subject for email in mail.outbox] == ["A new API token was created: first second"]
    assert Notification.objects.get().email_status == EmailStatus.SENT


def test_no_email_preference_keeps_the_notification_in_app_only(
    user, translated_kind, django_capture_on_commit_callbacks, celery_inline
):
    notification_preferences_set(actor=user, email_by_kind={TEST_KIND: False})
    with django_capture_on_commit_callbacks(execute=True):
        notification = _notify(user)

    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SKIPPED
    assert mail.outbox == []
    assert unread_count(user) == 1


def test_other_kinds_still_email_when_one_kind_is_switched_off(
    user, translated_kind, django_capture_on_commit_callbacks, celery_inline
):
    notification_preferences_set(actor=user, email_by_kind={"account.token_created": False})
    with django_capture_on_commit_callbacks(execute=True):
        _notify(user)

    assert len(mail.outbox) == 1


def test_an_inactive_recipient_gets_no_email(user, translated_kind):
    notification = _notify(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    assert notification_deliver(notification_id=notification.pk) == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_the_email_is_written_in_the_recipients_language(db, translated_kind):
    french = factories.UserFactory(language="fr")
    english = factories.UserFactory(language="en")
    unset = factories.UserFactory(language="")
    for user in (french, english, unset):
        _notify(user, key=f"lang:{user.pk}")

    with translation.override("pt-br"):
        for notification in Notification.objects.order_by("pk"):
            notification_deliver(notification_id=notification.pk)
        assert translation.get_language() == "pt-br"

    emails = {email.to[0]: email for email in mail.outbox}
    assert emails[french.email].subject == "Ce champ est obligatoire."
    assert emails[french.email].body.startswith("Saisissez une adresse e-mail valide.\n")
    assert 'lang="fr"' in emails[french.email].alternatives[0][0]
    assert emails[english.email].subject == "This field is required."
    assert emails[unset.email].subject == "This field is required."


def test_a_failed_send_is_retried_until_the_attempts_run_out(user, translated_kind, monkeypatch):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("connection lost")

    monkeypatch.setattr(services, "send_mail", refuse)
    notification = _notify(user)

    for attempt in range(1, MAX_EMAIL_ATTEMPTS):
        assert outbox_sweep(older_than_seconds=0) == 0
        notification.refresh_from_db()
        assert (notification.email_status, notification.email_attempts) == (EmailStatus.PENDING, attempt)

    outbox_sweep(older_than_seconds=0)
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.FAILED, MAX_EMAIL_ATTEMPTS)

    monkeypatch.undo()
    assert outbox_sweep(older_than_seconds=0) == 0
    assert mail.outbox == []


def test_a_send_that_fails_once_is_delivered_by_the_next_sweep(user, translated_kind, monkeypatch):
    real_send = services.send_mail
    calls = []

    def flaky(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", flaky)
    notification = _notify(user)

    assert notification_deliver(notification_id=notification.pk) == EmailStatus.PENDING
    assert outbox_sweep(older_than_seconds=0) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_the_sweeper_works_in_bounded_batches_and_leaves_fresh_rows_to_the_task(user, translated_kind):
    rows = [_notify(user, key=f"batch:{i}") for i in range(5)]
    Notification.objects.filter(pk__in=[row.pk for row in rows[:3]]).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )

    assert outbox_sweep(limit=2) == 2
    assert outbox_sweep(limit=2) == 1
    assert outbox_sweep(limit=2) == 0
    assert len(mail.outbox) == 3
    assert Notification.objects.filter(email_status=EmailStatus.PENDING).count() == 2

    assert outbox_sweep(older_than_seconds=0, limit=10) == 2
    assert len(mail.outbox) == 5


def test_two_workers_delivering_the_same_notification_send_one_email(transactional_db, monkeypatch):
    """The first worker holds the row while it sends; the second one must not send it again."""
    user = factories.UserFactory()
    with transaction.atomic():
        notification = notify(recipient=user, kind=TEST_KIND, dedupe_key="race")

    real_send = services.send_mail
    sending = threading.Event()
    release = threading.Event()
    sends = []

    def slow_send(*args, **kwargs):
        sends.append(threading.current_thread().name)
        sending.set()
        release.wait(30)
        return real_send(*args, **kwargs)

    monkeypatch.setattr(services, "send_mail", slow_send)
    results = {}

    def worker():
        try:
            results[threading.current_thread().name] = notification_deliver(notification_id=notification.pk)
        finally:
            connection.close()

    first = threading.Thread(target=worker, name="first")
    second = threading.Thread(target=worker, name="second")
    first.start()
    assert sending.wait(30)
    second.start()
    second.join(30)
    release.set()
    first.join(30)
    second.join(30)

    assert sends == ["first"]
    assert results == {"first": EmailStatus.SENT, "second": None}
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.SENT, 1)
