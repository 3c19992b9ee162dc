"""The "my queue" cards of the admin home: what waits on the signed-in staff user.

Each app registers its cards (``register_queue_card``) from its admin module; a card is a function
of the user that answers None when the user may not act on what it lists, or a ``QueueCard`` read
through the app's scoped selectors. A card reads its count and its oldest items: two queries,
whatever the number of rows. The home (``prm.admin_site``) shows the cards in their ``order``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from .sla.display import NO_CLOCK, ClockState

# How many of the oldest items a card lists.
QUEUE_ITEMS = 5


@dataclass(frozen=True)
class QueueItem:
    label: str
    url: str
    detail: str = ""
    since: datetime.datetime | None = None  # waiting since
    clock_state: str = NO_CLOCK
    due_at: datetime.datetime | None = None

    @property
    def clock_label(self) -> str:
        return str(ClockState.LABELS.get(self.clock_state, ""))

    @property
    def has_clock(self) -> bool:
        return self.clock_state in ClockState.LABELS


@dataclass(frozen=True)
class QueueCard:
    key: str
    title: str
    icon: str
    count: int
    items: list[QueueItem] = field(default_factory=list)
    more_url: str = ""
    empty_text: str = ""


QueueProvider = Callable[[object], QueueCard | None]

_providers: list[tuple[int, str, QueueProvider]] = []


def register_queue_card(key: str, provider: QueueProvider, *, order: int = 100) -> None:
    """Add (or replace, by ``key``) a card of the admin home."""
    global _providers
    _providers = sorted([*(entry for entry in _providers if entry[1] != key), (order, key, provider)])


def queue_cards(user) -> list[QueueCard]:
    """The cards the user may see, in their order."""
    cards = (provider(user) for _order, _key, provider in _providers)
    return [card for card in cards if card is not None]


def clocked_items(
    queryset, *, label, url, detail=lambda row: "", since="created_at", state="sla_state", due="sla_due_at"
):
    """``QueueItem`` of rows annotated by ``prm.sla.display.with_clock``; ``label``, ``url`` and
    ``detail`` read a row."""
    return [
        QueueItem(
            label=label(row),
            url=url(row),
            detail=detail(row),
            since=getattr(row, since, None),
            clock_state=getattr(row, state, NO_CLOCK) or NO_CLOCK,
            due_at=getattr(row, due, None),
        )
        for row in queryset[:QUEUE_ITEMS]
    ]
