"""The words of the audit trail: one label per action code, whatever the app that records it.

An event stores its action as a code (``deal.submitted``); people read its label ("Registration
submitted"), in their language. Each app names its own codes in its ``audit_labels.py`` with
``register_actions``; ``AuditConfig.ready`` imports every app's module. A code registered twice with
another label is refused, as in the other registries; a code with no label reads as itself (and
tests/prm/test_audit_labels.py fails on it).

The states an event moves between (``from_state``/``to_state``) are codes too (``submitted``); an
app names them with ``register_states``, for every action of a noun (``"deal"``) or for one action
(``"lead.imported"``, whose states are an import's, not a lead's). A value no app names (a tier's
name, an e-mail address) reads as itself.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

_labels: dict[str, object] = {}
_states: dict[str, dict[str, object]] = {}


def register_actions(labels: dict) -> None:
    for code, label in labels.items():
        existing = _labels.get(code)
        if existing is not None and existing is not label:
            raise ImproperlyConfigured(f"Audit action {code!r} already has a label.")
        _labels[code] = label


def action_label(code: str) -> str:
    """The translated label of an action code, or the code itself when it has none."""
    label = _labels.get(code)
    return str(label) if label is not None else code


def action_labels() -> dict:
    """Every registered code with its (lazy) label."""
    return dict(_labels)


def register_states(scope: str, choices) -> None:
    """Name the states of ``scope``: a noun (the part of an action code before its dot) or one action code."""
    _states.setdefault(scope, {}).update(dict(choices))


def state_label(action: str, value: str) -> str:
    """The translated label of a state an event of ``action`` records, or the value itself."""
    if not value:
        return value
    for scope in (action, action.split(".", 1)[0]):
        label = _states.get(scope, {}).get(value)
        if label is not None:
            return str(label)
    return value
