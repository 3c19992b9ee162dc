"""The registry of notification kinds. Each app registers its kinds in AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


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
    kind = NotificationKind(key=key, label=label, subject=subject, body=body, prepare=prepare)
    _KINDS[key] = kind
    return kind


def get_kind(key: str) -> NotificationKind:
    try:
        return _KINDS[key]
    except KeyError:
        return NotificationKind(key=key, label=key, subject=_("Notification"), body="")


def all_kinds() -> list[NotificationKind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.key)
