"""The reads that the handlers of one sweep batch share (prm/sla/memo.py)."""

import pytest

from partners.models import Partner
from prm.sla.memo import batch_memo, batch_object, memoized
from prm.sla.registry import register_handler, unregister_handler
from prm.sla.services import deadlines_sweep
from tests import factories
from tests.prm.sla.conftest import paris

HOUR = 3600
KIND = "sla.memo_test"


class Loader:
    """Partners by primary key, remembering which ids each call asked for."""

    def __init__(self):
        self.calls = []

    def __call__(self, pks):
        self.calls.append(sorted(pks))
        return Partner.objects.in_bulk(pks)


@pytest.fixture
def deadlines(paris_calendar):
    from prm.sla.services import deadline_start

    return [
        deadline_start(
            actor=None,
            obj=factories.PartnerFactory(),
            kind=KIND,
            calendar=paris_calendar,
            duration_seconds=HOUR,
            reminders=(0.5,),
            start=paris(2026, 3, 2, 9),
        )
        for _ in range(3)
    ]


def test_outside_a_batch_every_read_is_made(deadlines):
    loader, computed = Loader(), []
    assert batch_object(deadlines[0], loader).pk == deadlines[0].object_id
    assert batch_object(deadlines[0], loader).pk == deadlines[0].object_id
    assert loader.calls == [[deadlines[0].object_id]] * 2
    assert [memoized("key", lambda: computed.append(1) or len(computed)) for _ in range(2)] == [1, 2]


def test_a_batch_reads_the_objects_of_its_deadlines_once_and_hands_each_out_once(deadlines):
    loader = Loader()
    ids = sorted(deadline.object_id for deadline in deadlines)
    with batch_memo(deadlines):
        assert [batch_object(deadline, loader).pk for deadline in deadlines] == [d.object_id for d in deadlines]
        assert loader.calls == [ids]
        Partner.objects.filter(pk=deadlines[0].object_id).update(name="Renamed in the batch")
        # A second event of the same deadline reads its object afresh, after the first event's changes.
        assert batch_object(deadlines[0], loader).name == "Renamed in the batch"
        assert loader.calls == [ids, [deadlines[0].object_id]]


def test_a_deadline_outside_the_batch_and_a_missing_object(deadlines):
    loader = Loader()
    with batch_memo(deadlines[:2]):
        assert batch_object(deadlines[2], loader).pk == deadlines[2].object_id
        assert loader.calls == [[deadlines[2].object_id]]
        Partner.objects.filter(pk=deadlines[0].object_id).delete()
        assert batch_object(deadlines[0], loader) is None


def test_memoized_computes_once_per_batch(deadlines):
    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    with batch_memo(deadlines):
        assert [memoized(("users", 1), compute) for _ in range(3)] == [1, 1, 1]
        assert memoized(("users", 2), compute) == 2
    with batch_memo(deadlines):
        assert memoized(("users", 1), compute) == 3  # a new batch reads again


def test_the_sweeper_gives_each_batch_its_own_memo(deadlines):
    loader, seen = Loader(), []

    def on_breach(deadline):
        seen.append(batch_object(deadline, loader).pk)

    register_handler(KIND, on_reminder=None, on_breach=on_breach)
    try:
        result = deadlines_sweep(now=paris(2026, 3, 2, 11), batch_size=2)
    finally:
        unregister_handler(KIND)
    assert (result.batches, result.breaches, result.skipped) == (2, 3, 3)
    assert sorted(seen) == sorted(deadline.object_id for deadline in deadlines)
    ordered = [d.object_id for d in sorted(deadlines, key=lambda d: (d.next_fire_at, d.pk))]
    assert loader.calls == [sorted(ordered[:2]), ordered[2:]]  # one read per batch
