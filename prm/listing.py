"""What list pages share (ADR 0014): the active filters of a list shown as removable chips, and a
paginator told its count."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _


class CountedPaginator(Paginator):
    """A paginator given the number of rows (from figures kept up to date elsewhere), so that it
    does not count them; with ``count=None`` it counts them as usual."""

    def __init__(self, object_list, per_page, *, count: int | None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self._known_count = count

    @cached_property
    def count(self):
        return super().count if self._known_count is None else self._known_count


def filter_chip(path: str, name: str, value: str, param: str, kept: dict[str, str]) -> dict[str, str]:
    """An active filter as a chip: its label ("Status: won") and the list's address without it.

    ``kept`` is every parameter the list keeps from one page to the next (filters, search, sort);
    the link drops ``param`` and starts again at page one."""
    query = urlencode({key: val for key, val in kept.items() if val and key != param})
    return {
        "label": _("%(filter)s: %(value)s") % {"filter": name, "value": value},
        "url": f"{path}?{query}" if query else path,
    }
