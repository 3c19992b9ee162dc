"""The plumbing every workflow service shares: lock the row it changes, check the state transition.

- ``lock_or_error(queryset, pk, missing=...)``: the row, locked (``SELECT ... FOR UPDATE``) until the
  transaction ends. A row deleted meanwhile is a ``ServiceError`` on the field ``status`` (the API
  answers it with 409, like a lost race).
- ``check_transition(table, current, target, message=...)``: a transition the model's table does not
  allow is a ``ServiceError`` on the field ``status``, never a silent no-op.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prm.errors import ServiceError


def lock_or_error(queryset, pk, *, missing=None, nowait: bool = False, of: tuple[str, ...] = ()):
    """The row ``pk`` of ``queryset``, locked until the transaction ends.

    ``of`` limits the lock to those tables (``("self",)``: not the rows joined by ``select_related``);
    ``nowait`` fails at once (``DatabaseError``) instead of waiting for a lock held elsewhere. A row that
    no longer exists raises ``ServiceError(missing, field="status")``, or the model's ``DoesNotExist``
    when no ``missing`` message is given.
    """
    locked = queryset.select_for_update(nowait=nowait, of=of).filter(pk=pk).first()
    if locked is None:
        if missing is None:
            raise queryset.model.DoesNotExist(f"{queryset.model._meta.label} {pk} does not exist.")
        raise ServiceError(missing, field="status")
    return locked


def check_transition(
    table: Mapping,
    current: str,
    target: str,
    *,
    message: str | Callable[[object, object], object],
) -> None:
    """Refuse a transition from ``current`` to ``target`` that ``table`` (state -> allowed next states)
    does not list.

    ``message`` is a translated text with ``%(current)s`` and ``%(target)s`` (the states' labels), or a
    callable given both states (the choices' members) that returns the message.
    """
    states = type(next(iter(table)))
    current, target = states(current), states(target)
    if target in table[current]:
        return
    if callable(message):
        text = message(current, target)
    else:
        text = message % {"current": current.label, "target": target.label}
    raise ServiceError(text, field="status")
