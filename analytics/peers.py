"""The figures of a partner's peers over a period, which its percentiles are read against.

Summing a year of 500 peers' daily figures takes about 150 ms of SQL at a million registrations,
more than a page may spend. The peers are compared on their rolled-up days only (up to the last
day the rollup wrote: yesterday, once the hourly task has run; today is the partner's own, live),
so their figures change only when the rollup writes: they are kept in the cache under the group,
the period and the rollup's last day, and the rollup task computes those of every group for the
standard periods after each run (``warm``). A custom period is computed at its first visit. With the
cache out of reach (Redis down), they are computed at each visit.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache

from prm.metrics import Period

from . import kpis
from .figures import period_sums

logger = logging.getLogger(__name__)
TIMEOUT = 2 * 3600
ACCEPT = "accept_hours"


def _key(members, since, until, version: str) -> str:
    text = f"{','.join(map(str, members))}|{since}|{until}|{version}"
    return f"analytics:peers:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def _compute(members, since, until, rolled) -> dict[int, dict]:
    from leads.selectors import median_seconds_to_accept

    sums = period_sums(members, kpis.METRICS, since, until, rolled=rolled)
    medians = median_seconds_to_accept(members, Period(since, until))
    values = {}
    for member in members:
        row = {definition.key: definition.read(sums.get(member, {})) for definition in kpis.DEFINITIONS}
        seconds = medians.get(member)
        row[ACCEPT] = None if seconds is None else kpis.hours(seconds)
        values[member] = row
    return values


def peer_values(group, since, until, state) -> dict[int, dict]:
    """``{partner_id: {figure: value}}`` of every member of the group over ``since``–``until`` as rolled
    up (``state``: ``figures.rollup_state()``; days after the last rolled one are left out, nothing when
    nothing is rolled in the period). Kept under the run that wrote them: a new run, a new key."""
    rolled, version = state
    if rolled is None or rolled < since:
        return {member: {} for member in group.members}
    until = min(until, rolled)
    key = _key(group.members, since, until, version)
    try:
        values = cache.get(key)
    except Exception:  # noqa: BLE001 - the cache is an optimisation (ADR 0008)
        logger.warning("analytics: the peers' cache is out of reach", exc_info=True)
        values = None
    if values is None:
        values = _compute(group.members, since, until, rolled)
        try:
            cache.set(key, values, TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("analytics: the peers' cache is out of reach", exc_info=True)
    return values


def warm(today) -> int:
    """Compute and keep the peers' figures of every peer group for the standard periods; how many."""
    from partners.selectors import all_peer_groups

    from .figures import rollup_state
    from .periods import CHOICES, dashboard_period

    state = rollup_state()
    count = 0
    for group in all_peer_groups():
        for key, _label in CHOICES:
            if key == "custom":
                continue
            period = dashboard_period(key, today=today)
            peer_values(group, period.since, period.until, state)
            count += 1
    return count
