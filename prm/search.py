"""Global search: the box in the header finds the records the user may see, grouped by type.

Each app registers what it can be searched for in ``AppConfig.ready()`` with ``register_search``:
a ``search(user, text, limit)`` that reads through the app's scoped selector (the one tenancy
primitive), so a record outside the user's scope is never found, and returns ``Hit`` rows. A group
costs one query. Registering the same key twice with another definition is refused, as in the
other registries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_GROUP = 5


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    subtitle: str = ""
    status: str = ""  # a status code (prm.ui meanings), shown as a badge with status_label
    status_label: str = ""


@dataclass(frozen=True)
class Source:
    key: str
    label: object  # lazy text: the group's heading
    icon: str
    search: Callable[..., list[Hit]]
    order: int = 100


@dataclass
class Group:
    source: Source
    hits: list[Hit] = field(default_factory=list)


_sources: dict[str, Source] = {}


def register_search(key: str, *, label, icon: str, search: Callable[..., list[Hit]], order: int = 100) -> None:
    source = Source(key=key, label=label, icon=icon, search=search, order=order)
    existing = _sources.get(key)
    if existing is not None and existing != source:
        raise ImproperlyConfigured(f"Search source {key!r} is already registered with another definition.")
    _sources[key] = source


def clean_text(text: str) -> str:
    """The searched text: blanks folded, at most MAX_LENGTH characters; empty when too short."""
    text = " ".join(str(text or "").split())[:MAX_LENGTH]
    return text if len(text) >= MIN_LENGTH else ""


def search_all(user, text: str, *, per_group: int = PER_GROUP) -> list[Group]:
    """The groups with at least one hit, in the sources' order."""
    text = clean_text(text)
    if not text:
        return []
    groups = []
    for source in sorted(_sources.values(), key=lambda s: (s.order, s.key)):
        hits = source.search(user, text, per_group)
        if hits:
            groups.append(Group(source=source, hits=list(hits)))
    return groups
