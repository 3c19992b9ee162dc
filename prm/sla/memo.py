"""What the handlers of one sweep batch share: the objects of the batch's deadlines, read in one query,
and lists such as who the channel managers are or the users of a partner. A batch is one transaction
of up to a hundred due events, most of them of the same few partners; reading once per batch instead
of once per event is most of a handler's database work. Outside a sweep batch every read is made
when asked."""

from collections.abc import Callable, Hashable
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

_memo: ContextVar[dict | None] = ContextVar("sla_batch_memo", default=None)
_BATCH = object()  # the memo's key of the batch's deadlines


@contextmanager
def batch_memo(deadlines=()):
    """The memo of a batch of ``deadlines``; what it holds is forgotten when the block ends (the
    batch's transaction)."""
    token = _memo.set({_BATCH: list(deadlines)})
    try:
        yield
    finally:
        _memo.reset(token)


def batch_object(deadline, load: Callable[[list[int]], dict[int, T]]) -> T | None:
    """The object of ``deadline`` as ``load(object_ids)`` returns it (a dict by primary key), loaded
    with the objects of every deadline of the batch of the same content type in one call. Each
    preloaded object is handed out once: a second event of the same deadline in the batch (a reminder
    and then the breach) loads its object afresh, after what the first event's handler changed."""
    memo = _memo.get()
    if memo is None or deadline not in memo[_BATCH]:
        return load([deadline.object_id]).get(deadline.object_id)
    key = (_BATCH, load, deadline.content_type_id)
    if key not in memo:
        memo[key] = load(
            [other.object_id for other in memo[_BATCH] if other.content_type_id == deadline.content_type_id]
        )
    found = memo[key].pop(deadline.object_id, None)
    return found if found is not None else load([deadline.object_id]).get(deadline.object_id)


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()`` once per sweep batch for ``key`` (every time outside a batch). Values must be
    read-only to their users: lists of rows, never querysets that someone could filter and change."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]
