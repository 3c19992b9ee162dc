"""The company email domain and the phone number of an application."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from prm.identity import is_free_mail_domain, normalize_email_domain

_DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def validate_email_domain(value: str) -> str:
    """The normalised company email domain; ValidationError when it is none, or a free-mail one."""
    domain = normalize_email_domain(value)
    if not _DOMAIN.match(domain):
        raise ValidationError(_("Enter your company's email domain, such as example.com."), code="invalid_domain")
    if is_free_mail_domain(domain):
        raise ValidationError(
            _("%(domain)s is a free email service. Enter the email domain of your company."),
            code="free_mail",
            params={"domain": domain},
        )
    return domain


_PHONE = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:ext\.?|x|#)\s*[0-9]{1,6})?$", re.IGNORECASE)


def validate_phone(value: str) -> str:
    text = " ".join((value or "").split())
    main = re.split(r"(?i)\s*(?:ext\.?|x|#)\s*[0-9]", text, maxsplit=1)[0]
    digits = sum(ch.isdigit() for ch in main)
    if not _PHONE.match(text) or not 7 <= digits <= 15:
        raise ValidationError(
            _("Enter a phone number of 7 to 15 digits, for example +55 11 91234-5678."), code="invalid_phone"
        )
    return text
