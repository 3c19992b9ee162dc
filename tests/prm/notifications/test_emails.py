"""The notification e-mail: one branded layout, HTML and text parts, the reader's language."""

import re

import pytest
from django.conf import settings
from django.core import mail

from prm.notifications.emails import render_message
from prm.notifications.services import notification_deliver, notify
from tests import factories

pytestmark = pytest.mark.django_db


def test_both_parts_carry_the_text_the_link_and_the_preferences_link():
    subject, text, html = render_message(
        subject="Your deal\n  was approved", body="Line one.\nLine two.", url="/deals/7/", language="en"
    )
    link = f"{settings.SITE_URL}/deals/7/"
    preferences = f"{settings.SITE_URL}/notifications/preferences/"
    assert subject == "Your deal was approved"
    assert text.startswith("Line one.\nLine two.\n")
    assert f"Open in the portal: {link}" in text and f"Choose which e-mails you receive: {preferences}" in text
    assert f'href="{link}"' in html and f'href="{preferences}"' in html
    assert "Line one.<br>Line two." in html
    assert "<title>Your deal was approved</title>" in html


def test_the_css_is_inlined_and_no_style_sheet_is_left():
    _subject, _text, html = render_message(subject="S", body="B", url="/x/", language="en")
    assert "<style" not in html and "<link" not in html
    button = re.search(r'<a class="button"[^>]*>', html).group(0)
    assert "style=" in button and "background" in button


def test_without_a_link_there_is_no_button():
    _subject, text, html = render_message(subject="S", body="B", url="", language="en")
    assert 'class="button"' not in html and "Open in the portal" not in text


def test_the_body_is_escaped_in_the_html_part_and_left_as_is_in_the_text():
    _subject, text, html = render_message(subject="S", body='<script>alert("x")</script> & co', url="", language="en")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<script>alert("x")</script> & co' in text


def test_each_language_writes_its_own_layout():
    for language, words in (
        ("fr", "Ouvrir dans le portail"),
        ("pt-br", "Abrir no portal"),
        ("en", "Open in the portal"),
    ):
        _subject, text, html = render_message(subject="S", body="B", url="/x/", language=language)
        assert words in text and words in html
        assert f'lang="{language}"' in html


def test_a_delivered_notification_is_sent_with_both_parts(db, django_capture_on_commit_callbacks):
    user = factories.UserFactory(language="pt-br")
    with django_capture_on_commit_callbacks(execute=False):
        notification = notify(
            recipient=user, kind="account.token_created", dedupe_key="t:1", params={"name": "ci"}, url="/profile/"
        )
    notification_deliver(notification_id=notification.pk)
    (email,) = mail.outbox
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert "Abrir no portal" in email.body and "Abrir no portal" in html
    assert f"{settings.SITE_URL}/profile/" in html


def test_staff_preview_every_kind_in_each_language(client, db, mfa):
    from prm.notifications.kinds import all_kinds

    staff = factories.UserFactory(is_staff=True)
    mfa(staff)
    client.force_login(staff)
    listing = client.get("/staff/emails/").content.decode()
    for kind in all_kinds():
        for language in ("en", "pt-br", "fr"):
            assert f"/staff/emails/{kind.key}/{language}/" in listing
    response = client.get("/staff/emails/account.token_created/fr/")
    assert response.status_code == 200
    assert "Ouvrir dans le portail" in response.content.decode() and "‹name›" in response.content.decode()
    assert "script-src" not in response["Content-Security-Policy"]
    assert client.get("/staff/emails/no.such.kind/fr/").status_code == 404
    assert client.get("/staff/emails/account.token_created/de/").status_code == 404
