"""notify() writes a new row in one statement and keeps its dedupe semantics."""

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from prm.notifications.models import EmailStatus, Notification
from prm.notifications.services import notify

from .conftest import TEST_KIND


def test_a_new_notification_is_one_statement(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            notification = notify(recipient=user, kind=TEST_KIND, dedupe_key="one", params={"a": 1}, url="/x/")
    assert len(queries) == 1
    assert len(callbacks) == 1
    stored = Notification.objects.get(dedupe_key="one")
    assert notification.pk == stored.pk
    assert (stored.recipient_id, stored.kind, stored.params, stored.url) == (user.pk, TEST_KIND, {"a": 1}, "/x/")
    assert (stored.email_status, stored.email_attempts, stored.to_email, stored.language) == (
        EmailStatus.PENDING,
        0,
        "",
        "",
    )
    assert notification.created_at == stored.created_at
    assert notification.recipient == user


def test_an_existing_key_returns_the_stored_row_and_queues_nothing(
    user, other_user, django_capture_on_commit_callbacks
):
    with transaction.atomic():
        first = notify(recipient=user, kind=TEST_KIND, dedupe_key="same", params={"v": 1})
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        again = notify(recipient=other_user, kind="other.kind", dedupe_key="same", params={"v": 2})
    assert callbacks == []
    assert again.pk == first.pk
    assert (again.recipient_id, again.kind, again.params) == (user.pk, TEST_KIND, {"v": 1})
    assert Notification.objects.count() == 1


def test_an_applicant_is_notified_by_address_and_language(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        notification = notify(kind=TEST_KIND, dedupe_key="applicant", to_email="a@example.com", language="pt-br")
    stored = Notification.objects.get(pk=notification.pk)
    assert (stored.recipient_id, stored.to_email, stored.language) == (None, "a@example.com", "pt-br")
    assert len(callbacks) == 1


def test_batched_deliveries_are_published_together_once_the_block_ends(
    user, other_user, django_capture_on_commit_callbacks, monkeypatch
):
    import pytest

    from prm.notifications.services import deliveries_batched

    queued, single = [], []
    monkeypatch.setattr(
        "prm.notifications.tasks.deliver_notifications.apply_async", lambda args, **kw: queued.append(args[0])
    )
    monkeypatch.setattr(
        "prm.notifications.tasks.deliver_notification.apply_async", lambda args, **kw: single.append(args)
    )
    with deliveries_batched():
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            first = notify(recipient=user, kind=TEST_KIND, dedupe_key="b1")
            with pytest.raises(RuntimeError), transaction.atomic():
                notify(recipient=user, kind=TEST_KIND, dedupe_key="rolled-back")
                raise RuntimeError("this change fails")
            second = notify(recipient=other_user, kind=TEST_KIND, dedupe_key="b2")
        assert queued == []
    assert queued == [[first.pk, second.pk]]
    assert single == []
