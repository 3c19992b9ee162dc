"""notify_many(): the outbox rows of a bulk change in one insert, with notify()'s guarantees."""

import pytest
from django.core import mail
from django.db import transaction

from prm.notifications import services
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.services import DELIVERY_CHUNK, notify, notify_many
from tests import factories

from .conftest import TEST_KIND


def _item(user, key, **params):
    return {"recipient": user, "kind": TEST_KIND, "dedupe_key": key, "params": params, "url": "/leads/"}


def test_rows_are_written_once_per_key_and_delivered_after_commit(
    user, other_user, translated_kind, django_capture_on_commit_callbacks, celery_inline
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            existing = notify(recipient=user, kind=TEST_KIND, dedupe_key="batch:1:user")
        with transaction.atomic():
            ids = notify_many(
                [
                    _item(user, "batch:1:user", count=3),  # already written: skipped
                    _item(other_user, "batch:1:other", count=3),
                    _item(other_user, "batch:1:other", count=4),  # twice in the call: once
                ]
            )

    created = Notification.objects.get(dedupe_key="batch:1:other")
    assert ids == [created.pk]
    assert created.recipient == other_user and created.params == {"count": 3} and created.url == "/leads/"
    assert created.email_status == EmailStatus.SENT
    assert Notification.objects.get(dedupe_key="batch:1:user").pk == existing.pk
    assert Notification.objects.count() == 2
    assert len(callbacks) == 2  # notify()'s and notify_many()'s
    assert sorted(message.to[0] for message in mail.outbox) == sorted([user.email, other_user.email])


def test_a_rolled_back_change_leaves_no_row_and_queues_nothing(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify_many([_item(user, "rolled:back")])
            raise RuntimeError("the change fails after the notifications were written")
    assert not Notification.objects.exists()
    assert callbacks == []


def test_deliveries_are_queued_in_chunks(db, django_capture_on_commit_callbacks, monkeypatch):
    users = factories.UserFactory.create_batch(DELIVERY_CHUNK + 1)
    queued = []
    monkeypatch.setattr(
        "prm.notifications.tasks.deliver_notifications.apply_async", lambda args, **kw: queued.append(args[0])
    )
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        ids = notify_many([_item(u, f"chunk:{u.pk}") for u in users])
    assert [len(chunk) for chunk in queued] == [DELIVERY_CHUNK, 1]
    assert sum(queued, []) == ids


def test_a_broker_that_refuses_leaves_the_rows_to_the_sweeper(user, django_capture_on_commit_callbacks, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("prm.notifications.tasks.deliver_notifications.apply_async", down)
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        notify_many([_item(user, "swept:later")])
    row = Notification.objects.get(dedupe_key="swept:later")
    assert row.email_status == EmailStatus.PENDING
    assert row.pk in services.pending_notification_ids(older_than_seconds=0)


def test_outside_a_transaction_or_without_a_recipient_it_refuses(transactional_db):
    user = factories.UserFactory()
    with pytest.raises(RuntimeError):
        notify_many([_item(user, "outside")])
    with pytest.raises(ValueError), transaction.atomic():
        notify_many([{"recipient": None, "kind": TEST_KIND, "dedupe_key": "nobody"}])
    assert not Notification.objects.exists()
