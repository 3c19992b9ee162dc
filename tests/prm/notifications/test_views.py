import time

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from prm.notifications.models import Notification, NotificationPreference
from prm.notifications.services import notify

from .conftest import TEST_KIND

TOKEN_KIND = "account.token_created"


def _notify(user, key, name="laptop"):
    with transaction.atomic():
        return notify(recipient=user, kind=TOKEN_KIND, dedupe_key=key, params={"name": name}, url="/profile/")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("method", "route", "args"),
    [
        ("get", "notification_list", ()),
        ("get", "notification_count", ()),
        ("get", "notification_preferences", ()),
        ("post", "notification_read_all", ()),
        ("post", "notification_read", (1,)),
    ],
)
def test_anonymous_is_sent_to_the_login_page(db, client, method, route, args):
    url = reverse(route, args=args)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_anonymous_bell_poll_stops_polling_instead_of_loading_the_login_page(db, client):
    response = client.get(reverse("notification_count"), headers={"HX-Request": "true"})
    assert response.status_code == 286
    assert response.content == b""


def test_the_list_shows_only_my_notifications(signed_in, user, other_user):
    _notify(user, "mine", name="my-token")
    _notify(other_user, "theirs", name="their-token")

    response = signed_in.get(reverse("notification_list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "A new API token was created: my-token" in page
    assert "their-token" not in page


def test_mark_read(signed_in, user):
    notification = _notify(user, "one")

    response = signed_in.post(reverse("notification_read", args=[notification.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("notification_list")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_mark_read_goes_back_to_a_local_page_only(signed_in, user):
    first, second = _notify(user, "one"), _notify(user, "two")

    local = signed_in.post(reverse("notification_read", args=[first.pk]), {"next": "/profile/"})
    foreign = signed_in.post(reverse("notification_read", args=[second.pk]), {"next": "https://evil.example/"})

    assert local["Location"] == "/profile/"
    assert foreign["Location"] == reverse("notification_list")


def test_another_users_notification_cannot_be_marked_read(signed_in, other_user):
    theirs = _notify(other_user, "theirs")

    response = signed_in.post(reverse("notification_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_marks_only_mine(signed_in, user, other_user):
    mine = [_notify(user, "a"), _notify(user, "b")]
    theirs = _notify(other_user, "c")

    response = signed_in.post(reverse("notification_read_all"), follow=True)

    assert response.status_code == 200
    assert "2 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_count_fragment_counts_my_unread_notifications_and_keeps_polling(signed_in, user, other_user):
    first = _notify(user, "a")
    _notify(user, "b")
    _notify(other_user, "c")
    signed_in.post(reverse("notification_read", args=[first.pk]))

    response = signed_in.get(reverse("notification_count"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<span class="badge bg-red text-red-fg badge-notification badge-pill" aria-hidden="true">1</span>' in html
    assert "1 unread notification<" in html
    assert f'hx-get="{reverse("notification_count")}"' in html
    assert 'hx-trigger="every 60s"' in html
    assert 'hx-swap="outerHTML"' in html


def test_the_bell_on_every_page_polls_the_count(signed_in, user):
    _notify(user, "a")

    html = signed_in.get(reverse("notification_list")).content.decode()

    assert f'hx-get="{reverse("notification_count")}" hx-trigger="every 60s"' in html
    assert '<span class="badge bg-red text-red-fg badge-notification badge-pill" aria-hidden="true">1</span>' in html


def test_the_bell_poll_does_not_keep_an_idle_session_alive(signed_in):
    session = signed_in.session
    idle_since = int(time.time()) - 10 * 60
    session["prm_seen"] = idle_since
    session.save()

    signed_in.get(reverse("notification_count"), headers={"HX-Request": "true", "X-Background-Poll": "1"})
    assert signed_in.session["prm_seen"] == idle_since

    signed_in.get(reverse("notification_list"))
    assert signed_in.session["prm_seen"] > idle_since


def test_preferences_page_shows_and_saves_the_choice_per_kind(signed_in, user, translated_kind):
    url = reverse("notification_preferences")
    page = signed_in.get(url).content.decode()
    assert f'value="{TEST_KIND}" checked' in page
    assert f'value="{TOKEN_KIND}" checked' in page
    assert "Email address" in page

    response = signed_in.post(url, {"email": [TOKEN_KIND]})

    assert response.status_code == 302
    saved = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    assert saved[TEST_KIND] is False
    assert saved[TOKEN_KIND] is True
    page = signed_in.get(url).content.decode()
    assert f'value="{TEST_KIND}">' in page
    assert f'value="{TOKEN_KIND}" checked' in page


def test_preferences_ignore_kinds_that_do_not_exist(signed_in, user):
    signed_in.post(reverse("notification_preferences"), {"email": ["no.such.kind"]})
    assert not NotificationPreference.objects.filter(user=user, kind="no.such.kind").exists()


def _list_queries(client) -> int:
    with CaptureQueriesContext(transaction.get_connection()) as queries:
        response = client.get(reverse("notification_list"))
    assert response.status_code == 200
    return len(queries)


def test_the_list_page_query_count_does_not_grow_with_the_rows(signed_in, user, django_assert_max_num_queries):
    for i in range(3):
        _notify(user, f"few:{i}")
    few = _list_queries(signed_in)
    for i in range(27):
        _notify(user, f"many:{i}")
    with django_assert_max_num_queries(6):
        response = signed_in.get(reverse("notification_list"))
    assert response.content.decode().count("data-unread") == 25
    assert _list_queries(signed_in) == few, few
