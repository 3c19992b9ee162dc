"""The registry of notification kinds. Each app registers its kinds in AppConfig.ready().

It behaves like the SLA registry (``prm.sla.registry``): registering a key again with the same
definition changes nothing, with another definition it is refused (``ImproperlyConfigured``). A kind
nobody registered is an error (``UnknownNotificationKind``): ``notify()`` refuses to write it, and a
stored row whose kind is no longer registered fails its e-mail instead of sending a generic one.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured


class UnknownNotificationKind(LookupError):
    """No notification kind is registered under this key."""

    # A page listing a stored notification of a kind no longer registered shows it blank, not a 500.
    silent_variable_failure = True


@dataclass(frozen=True)
class NotificationKind:
    key: str
    label: str  # lazy, shown on the preferences page
    subject: str  # lazy, format string with {params}
    body: str  # lazy, format string with {params}
    # Turns stored params (codes) into display values, in the language active at render time.
    prepare: Callable[[dict], dict] | None = None

    def _render(self, text, params: dict) -> str:
        try:
            return str(text).format(**(self.prepare(params) if self.prepare else params))
        except (KeyError, IndexError, ValueError):
            return str(text)

    def render_subject(self, params: dict) -> str:
        return self._render(self.subject, params)

    def render_body(self, params: dict) -> str:
        return self._render(self.body, params)


_KINDS: dict[str, NotificationKind] = {}


def register_kind(key: str, *, label, subject, body, prepare=None) -> NotificationKind:
    """Register the kind ``key``. The same definition again changes nothing; another one is refused."""
    if not key or len(key) > 64:
        raise ImproperlyConfigured(f"Notification kind {key!r} must have 1 to 64 characters.")
    kind = NotificationKind(key=key, label=label, subject=subject, body=body, prepare=prepare)
    existing = _KINDS.get(key)
    if existing is not None and existing != kind:
        raise ImproperlyConfigured(f"Notification kind {key!r} is already registered with another definition.")
    _KINDS[key] = kind
    return kind


def unregister_kind(key: str) -> None:
    _KINDS.pop(key, None)


def get_kind(key: str) -> NotificationKind:
    try:
        return _KINDS[key]
    except KeyError:
        raise UnknownNotificationKind(f"No notification kind is registered as {key!r}.") from None


def require_kinds(keys) -> None:
    """Raise ``UnknownNotificationKind`` for the first of ``keys`` that is not registered."""
    for key in keys:
        get_kind(key)


def all_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)
