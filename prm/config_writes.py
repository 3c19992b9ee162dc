"""The plumbing of the writes of what staff configure (the product catalogue, house accounts, program settings).

- ``require_staff_permission(actor, permission, message)``: an active, signed-in staff user holding
  ``permission``, else ``PermissionDenied(message)``.
- ``refuse_unknown_fields(fields, allowed)``: a field the caller may not set is a ``ServiceError``.
- ``apply_changes(obj, data)``: sets the values of ``data`` that differ on ``obj`` and returns them as
  field -> [old, new] in text, what the audit event of the change records.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError


def require_staff_permission(actor, permission: str, message) -> None:
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm(permission)
    ):
        raise PermissionDenied(message)


def refuse_unknown_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def apply_changes(obj, data: dict) -> dict:
    """Field -> [old, new] as text, for the fields whose value differs; sets the new values on obj."""
    changes = {}
    for name, value in data.items():
        old = getattr(obj, name)
        if old != value:
            changes[name] = [None if old is None else str(old), None if value is None else str(value)]
            setattr(obj, name, value)
    return changes
