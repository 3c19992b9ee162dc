"""Notification e-mails: one branded layout, an HTML and a plain-text part, in the reader's language.

The HTML part is written with a ``<style>`` block (``templates/emails/base.html``) and its CSS is
inlined into ``style`` attributes by css-inline, as mail clients ignore style sheets. Links use
``SITE_URL`` (``make run`` sets it from ``PORT``).
"""

from __future__ import annotations

import css_inline
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from prm.branding import current_brand

_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def render_message(*, subject: str, body: str, url: str = "", language: str) -> tuple[str, str, str]:
    """(subject, text, html) of one e-mail in ``language``; ``url`` is a path of the portal or empty."""
    with translation.override(language):
        context = {
            "subject": " ".join(subject.split()),
            "body": body,
            "link": f"{settings.SITE_URL}{url}" if url else "",
            "preferences_link": f"{settings.SITE_URL}{reverse('notification_preferences')}",
            "site_url": settings.SITE_URL,
            "brand": current_brand(),
        }
        text = render_to_string("emails/notification.txt", context).strip() + "\n"
        html = _INLINER.inline(render_to_string("emails/notification.html", context))
    return context["subject"], text, html


def render_notification(notification) -> tuple[str, str, str]:
    """The e-mail of a stored notification, in its recipient's language."""
    user = notification.recipient
    language = (user.language if user else notification.language) or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = notification.subject(), notification.body()
    return render_message(subject=subject, body=body, url=notification.url, language=language)
