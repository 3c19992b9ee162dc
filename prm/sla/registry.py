"""What the sweeper does when a deadline of a given kind reaches a reminder or its due time.

The owning app registers its handlers in its AppConfig.ready()::

    register_handler("deals.approval", on_reminder=remind_reviewer, on_breach=escalate)

When the sweeper finds several events of a deadline due at once (after downtime), it sends only
the latest — the last due reminder, or the breach — and records the reminders it overtook as
skipped; a kind registered with ``send_overtaken_reminders=True`` gets every event, in order.

Handlers run inside the sweeper's transaction, with the deadline row locked: their database
writes commit together with the deadline's new state, or not at all. They call the owning
app's services. A handler that needs to lock its own object should do it with
``select_for_update(nowait=True)``: when a user's request holds that object, the handler
fails, is recorded on the deadline and runs again at the next sweep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class Handler:
    kind: str
    on_reminder: Callable | None = None  # on_reminder(deadline, fraction)
    on_breach: Callable | None = None  # on_breach(deadline)
    send_overtaken_reminders: bool = False


_handlers: dict[str, Handler] = {}


def register_handler(
    kind: str,
    *,
    on_reminder: Callable | None = None,
    on_breach: Callable | None = None,
    send_overtaken_reminders: bool = False,
) -> Handler:
    """Register the callables of `kind`. Registering the same callables again changes nothing."""
    if not kind or len(kind) > 64:
        raise ImproperlyConfigured(f"Deadline kind {kind!r} must have 1 to 64 characters.")
    if on_reminder is None and on_breach is None:
        raise ImproperlyConfigured(f"Deadline kind {kind!r} needs on_reminder, on_breach or both.")
    handler = Handler(
        kind=kind, on_reminder=on_reminder, on_breach=on_breach, send_overtaken_reminders=send_overtaken_reminders
    )
    existing = _handlers.get(kind)
    if existing is not None and existing != handler:
        raise ImproperlyConfigured(f"Deadline kind {kind!r} already has other handlers.")
    _handlers[kind] = handler
    return handler


def unregister_handler(kind: str) -> None:
    _handlers.pop(kind, None)


def handler_for(kind: str) -> Handler | None:
    return _handlers.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_handlers)
