"""The design system's vocabulary (ADR 0014): one colour per meaning, whatever the app.

A status or clock state is shown as a badge whose tone says what it means to the reader, so that
"approved", "converted" and "on time" share a colour across deals, leads and every later app:

- ``neutral``: not started or ended without an outcome (draft, in the pool, expired, paused);
- ``progress``: moving, waiting on the other side (submitted, accepted, contacted);
- ``action``: waiting on the reader (more information requested, a lead offered, due soon);
- ``good``: a good outcome (approved, won, converted, on time, met);
- ``bad``: a bad outcome (rejected, lost, failed, breached).

Apps name the meaning of their own codes with ``register_tones`` in ``AppConfig.ready()``; a code
registered twice with another meaning is refused, as in the other registries.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# The meanings, each with its badge class ``tone-<meaning>`` in static/css/portal.css (text on its
# tint at 7:1 or more, WCAG AA asks 4.5:1).
MEANINGS = {
    "neutral": _("not started or closed"),
    "progress": _("in progress"),
    "action": _("waiting on you"),
    "good": _("good outcome"),
    "bad": _("bad outcome"),
}

_tones: dict[str, str] = {
    # The SLA clock states (prm.sla.display.clock_state).
    "on_time": "good",
    "met": "good",
    "due_soon": "action",
    "breached": "bad",
    "paused": "neutral",
}


def register_tones(**codes: str) -> None:
    for code, meaning in codes.items():
        if meaning not in MEANINGS:
            raise ImproperlyConfigured(f"Unknown meaning {meaning!r} for {code!r}; one of {sorted(MEANINGS)}.")
        existing = _tones.get(code)
        if existing is not None and existing != meaning:
            raise ImproperlyConfigured(f"Status {code!r} already means {existing!r}.")
        _tones[code] = meaning


def meaning(code: str) -> str:
    return _tones.get(str(code), "neutral")
