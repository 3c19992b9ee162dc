"""What list pages share (ADR 0014): the active filters of a list shown as removable chips."""

from __future__ import annotations

from urllib.parse import urlencode

from django.utils.translation import gettext as _


def filter_chip(path: str, name: str, value: str, param: str, kept: dict[str, str]) -> dict[str, str]:
    """An active filter as a chip: its label ("Status: won") and the list's address without it.

    ``kept`` is every parameter the list keeps from one page to the next (filters, search, sort);
    the link drops ``param`` and starts again at page one."""
    query = urlencode({key: val for key, val in kept.items() if val and key != param})
    return {
        "label": _("%(filter)s: %(value)s") % {"filter": name, "value": value},
        "url": f"{path}?{query}" if query else path,
    }
