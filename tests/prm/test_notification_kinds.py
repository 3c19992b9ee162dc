"""The registry of notification kinds behaves like the SLA registry: one definition per key, and a key
nobody registered is an error (never a generic, empty e-mail)."""

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.template import Context, Template
from django.utils.translation import gettext_lazy

from prm.notifications import kinds
from prm.notifications.kinds import UnknownNotificationKind, get_kind, register_kind
from prm.notifications.models import EmailStatus, Notification
from prm.notifications.services import notification_deliver, notify, notify_many
from tests import factories

KEY = "test.registry"


@pytest.fixture
def registered():
    kind = register_kind(
        KEY, label=gettext_lazy("Email address"), subject=gettext_lazy("This field is required."), body=""
    )
    yield kind
    kinds.unregister_kind(KEY)


def test_the_same_definition_registered_again_changes_nothing(registered):
    again = register_kind(KEY, label=registered.label, subject=registered.subject, body=registered.body)
    assert again == registered
    assert get_kind(KEY) == registered


def test_another_definition_under_a_registered_key_is_refused(registered):
    with pytest.raises(ImproperlyConfigured):
        register_kind(KEY, label=registered.label, subject=gettext_lazy("Notification"), body="")
    assert get_kind(KEY) == registered


@pytest.mark.parametrize("key", ["", "x" * 65])
def test_a_key_must_have_one_to_64_characters(key):
    with pytest.raises(ImproperlyConfigured):
        register_kind(key, label="", subject="", body="")


def test_an_unknown_kind_is_an_error():
    with pytest.raises(UnknownNotificationKind):
        get_kind("nobody.registered.this")


def test_notify_refuses_an_unknown_kind_and_writes_nothing(db):
    user = factories.UserFactory()
    with pytest.raises(UnknownNotificationKind), transaction.atomic():
        notify(recipient=user, kind="nobody.registered.this", dedupe_key="unknown")
    with pytest.raises(UnknownNotificationKind), transaction.atomic():
        notify_many([{"recipient": user, "kind": "nobody.registered.this", "dedupe_key": "unknown:many"}])
    assert not Notification.objects.exists()


def test_a_stored_row_of_a_kind_no_longer_registered_sends_no_generic_email(db, registered):
    user = factories.UserFactory()
    with transaction.atomic():
        notification = notify(recipient=user, kind=KEY, dedupe_key="removed:later")
    kinds.unregister_kind(KEY)  # the code that registered it is gone

    assert notification_deliver(notification_id=notification.pk) == EmailStatus.PENDING
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.PENDING, 1)
    assert mail.outbox == []
    # A page listing it shows it blank instead of failing.
    assert Template("[{{ n.subject }}]").render(Context({"n": notification})) == "[]"


def test_every_kind_registered_by_the_apps_renders(db):
    """The apps' kinds are all there after start-up, each with a subject."""
    registered = kinds.all_kinds()
    assert {"account.token_created", "application.new"} <= {kind.key for kind in registered}
    assert all(str(kind.subject) for kind in registered)
