"""Redis (the Celery broker) goes down: writes still succeed, the sweeper delivers once it is back."""

import ast
import json
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import redis
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from kombu import pools

from prm import embedded
from prm.accounts.models import ApiToken
from prm.celery import NOTIFICATIONS, app
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.tasks import deliver_notification, deliver_notifications, sweep_outbox
from tests import factories

# Generous: a request that waits on a dead broker must end, not hang or retry forever.
NO_HANG_SECONDS = 20


def _drop_broker_connections():
    # kombu keeps one connection pool per broker URL in a process-wide registry: closing the app's
    # pool alone would leave a closed pool there for the next user of that URL. reset() closes every
    # pooled connection and forgets the pools, so the next publish opens a new one.
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_broker(url: str):
    previous = app.conf.broker_url
    _drop_broker_connections()
    app.conf.broker_url = url
    try:
        yield
    finally:
        _drop_broker_connections()
        app.conf.broker_url = previous


def queued_notification_ids(url: str) -> list[int]:
    """Take the queued delivery tasks off the broker, as a worker would; their notification ids."""
    client = redis.Redis.from_url(url)
    ids = []
    while (raw := client.rpop(NOTIFICATIONS)) is not None:
        headers = json.loads(raw)["headers"]
        args = ast.literal_eval(headers["argsrepr"])
        if headers["task"] == deliver_notifications.name:  # a bulk delivery: a list of ids
            ids.extend(int(pk) for pk in args[0])
        else:
            assert headers["task"] == deliver_notification.name
            ids.append(int(args[0]))
    client.close()
    return ids


@pytest.mark.slow
def test_with_redis_down_the_write_succeeds_and_the_sweeper_delivers_it_later(
    transactional_db, tmp_path, client, monkeypatch, caplog
):
    user = factories.UserFactory()
    client.force_login(user)
    server = embedded.EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    try:
        with celery_broker(url):
            # Redis up: after commit the delivery task reaches the broker; a worker runs it.
            assert client.post(reverse("profile"), {"name": "before"}).status_code == 200
            before = Notification.objects.get(recipient=user, params__name="before")
            assert queued_notification_ids(url) == [before.pk]
            deliver_notification(before.pk)
            assert len(mail.outbox) == 1

            # Redis down: the request still commits its change and its outbox row, without hanging.
            server.stop()
            started = time.monotonic()
            response = client.post(reverse("profile"), {"name": "during"})
            assert time.monotonic() - started < NO_HANG_SECONDS
            assert response.status_code == 200
            assert ApiToken.objects.filter(user=user, name="during").exists()
            during = Notification.objects.get(recipient=user, params__name="during")
            assert during.email_status == EmailStatus.PENDING
            assert len(mail.outbox) == 1
            assert f"Notification {during.pk} left to the outbox sweeper" in caplog.text

            # Redis back on the same address: the web process publishes again without a restart.
            port = server.port
            monkeypatch.setattr(embedded, "free_port", lambda: port)
            server = embedded.EmbeddedRedis(tmp_path / "redis")
            assert server.start() == url
            assert client.post(reverse("profile"), {"name": "after"}).status_code == 200
            after = Notification.objects.get(recipient=user, params__name="after")
            assert queued_notification_ids(url) == [after.pk]

            # No worker runs the queued task of "after" either. The beat's sweep delivers both rows once.
            Notification.objects.filter(pk__in=[during.pk, after.pk]).update(
                created_at=timezone.now() - timedelta(minutes=2)
            )
            assert sweep_outbox() == 2
            assert sorted(email.subject for email in mail.outbox[1:]) == [
                "A new API token was created: after",
                "A new API token was created: during",
            ]
            assert sweep_outbox() == 0
            # The worker comes back and runs what it had been handed: nothing is sent twice.
            for pk in (before.pk, during.pk, after.pk):
                deliver_notification(pk)
            assert len(mail.outbox) == 3
            assert set(Notification.objects.values_list("email_status", "email_attempts")) == {(EmailStatus.SENT, 1)}
    finally:
        server.stop()


@pytest.mark.slow
def test_a_request_that_finds_redis_already_down_does_not_wait_on_it(transactional_db, tmp_path, client, caplog):
    user = factories.UserFactory()
    client.force_login(user)
    server = embedded.EmbeddedRedis(tmp_path / "redis")
    url = server.start()
    server.stop()
    with celery_broker(url):
        started = time.monotonic()
        response = client.post(reverse("profile"), {"name": "cold"})
        assert time.monotonic() - started < NO_HANG_SECONDS

    assert response.status_code == 200
    notification = Notification.objects.get(recipient=user)
    assert notification.email_status == EmailStatus.PENDING
    assert f"Notification {notification.pk} left to the outbox sweeper" in caplog.text
    assert mail.outbox == []
