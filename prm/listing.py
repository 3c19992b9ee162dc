"""What list pages share (ADR 0014): the active filters of a list shown as removable chips, a
paginator told its count, and a page of a list that is not counted."""

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


class OpenEndedPage:
    """A page of a list that is not counted (a search over many rows: counting the matches would cost
    more than showing them): its rows and whether another page follows, read in one query of
    ``per_page + 1`` rows. ``paginator`` is None: the page knows its number, not the number of pages.
    A number that is not a positive integer reads as 1; past the last page, the page is empty."""

    paginator = None

    def __init__(self, object_list, per_page: int, number, *, max_number: int = 1000):
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 1
        self.number = min(max(number, 1), max_number)
        start = (self.number - 1) * per_page
        rows = list(object_list[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page and self.number < max_number

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def filter_chip(path: str, name: str, value: str, param: str, kept: dict[str, str]) -> dict[str, str]:
    """An active filter as a chip: its label ("Status: won") and the list's address without it.

    ``kept`` is every parameter the list keeps from one page to the next (filters, search, sort);
    the link drops ``param`` and starts again at page one."""
    query = urlencode({key: val for key, val in kept.items() if val and key != param})
    return {
        "label": _("%(filter)s: %(value)s") % {"filter": name, "value": value},
        "url": f"{path}?{query}" if query else path,
    }


class NewestMatches:
    """The rows of ``scope`` that match a search, newest first (``-created_at``, ``-pk``), read a slice
    at a time (``rows[start:stop]``, as ``OpenEndedPage`` and the header search read them).

    A common word matches thousands of rows: found through a trigram index they must all be read and
    sorted to show the newest 25. Here the newest ``window`` rows of the scope are searched first, in
    the order of a date index that holds the searched columns (``scan`` is the search in a form no
    trigram index serves, so that the planner walks the date index and stops at the page's last
    match); only when they hold too few matches are the older rows searched with ``matches``, through
    the trigram indexes — the way a rare word is found fast. One query for the bound of the window,
    then one, or two or three for a rare word; a scope smaller than the window is searched with
    ``matches`` at once.
    """

    def __init__(self, scope, *, matches, scan, window: int = 5000):
        self.scope = scope.order_by("-created_at", "-pk")
        self.matches = matches
        self.scan = scan
        self.window = window

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice) or item.step is not None or item.stop is None:
            raise TypeError("NewestMatches reads bounded slices only.")
        start, stop = item.start or 0, item.stop
        bound = list(self.scope.values_list("created_at", flat=True)[self.window - 1 : self.window])
        if not bound:  # the scope is smaller than the window
            return list(self.scope.filter(self.matches)[start:stop])
        recent = self.scope.filter(self.scan, created_at__gte=bound[0])
        # The keys from the index alone, then the page's rows by key.
        rows = list(self.scope.filter(pk__in=recent.values("pk")[start:stop]))
        if len(rows) == stop - start:
            return rows
        # The recent matches end within this slice (or before it): the older rows follow them.
        recent_count = start + len(rows) if rows or not start else recent.count()
        older = self.scope.filter(self.matches, created_at__lt=bound[0])
        return rows + list(older[max(start - recent_count, 0) : stop - recent_count])
