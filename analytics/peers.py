"""The figures of many partners over a period: a partner's peers (its percentiles) and the partners in
a staff user's scope (the program dashboard and its ranking).

Summing a year of 500 partners' daily figures takes about 150 ms of SQL at a million registrations,
more than a page may spend. These partners are read on their rolled-up days only (up to the last
day the rollup wrote: yesterday, once the hourly task has run), so their sums change only when the
rollup writes: they are kept in the cache under the partners, the period and the rollup run, and
the rollup task computes those of every peer group and of the whole program for the standard
periods after each run (``warm``). Another period or scope is computed at its first visit. With the
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
MEDIAN = "leads.median_accept_seconds"  # beside the metrics' sums: the median a sum cannot give


def _key(members, since, until, version: str) -> str:
    text = f"{','.join(map(str, members))}|{since}|{until}|{version}"
    return f"analytics:sums:{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def _compute(members, since, until, rolled) -> dict[int, dict]:
    from leads.selectors import median_seconds_to_accept

    sums = period_sums(members, kpis.METRICS, since, until, rolled=rolled)
    medians = median_seconds_to_accept(members, Period(since, until))
    values = {member: dict(sums.get(member, {})) for member in members}
    for member, seconds in medians.items():
        values[member][MEDIAN] = seconds
    return values


def member_sums(members, since, until, state) -> dict[int, dict]:
    """``{partner_id: {metric: sum}}`` of ``members`` over ``since``–``until`` as rolled up (``state``:
    ``figures.rollup_state()``; days after the last rolled one are left out, nothing when nothing is
    rolled in the period), with the median time to accept a lead under ``MEDIAN``."""
    members = tuple(sorted(members))
    rolled, version = state
    if rolled is None or rolled < since:
        return {member: {} for member in members}
    until = min(until, rolled)
    return kept(_key(members, since, until, version), lambda: _compute(members, since, until, rolled))


def kept(key: str, compute):
    """The value kept in the cache under ``key``, or ``compute()``'s, then kept for ``TIMEOUT``. The
    cache is an optimisation (ADR 0008): out of reach, the value is computed at each call."""
    try:
        value = cache.get(key)
    except Exception:  # noqa: BLE001
        logger.warning("analytics: the cache of figures is out of reach", exc_info=True)
        value = None
    if value is None:
        value = compute()
        try:
            cache.set(key, value, TIMEOUT)
        except Exception:  # noqa: BLE001
            logger.warning("analytics: the cache of figures is out of reach", exc_info=True)
    return value


def kpi_values(sums: dict) -> dict:
    """A partner's figures (``kpis.DEFINITIONS`` and the median time to accept) from its sums."""
    row = {definition.key: definition.read(sums) for definition in kpis.DEFINITIONS}
    seconds = sums.get(MEDIAN)
    row[ACCEPT] = None if seconds is None else kpis.hours(seconds)
    return row


def peer_values(group, since, until, state) -> dict[int, dict]:
    """``{partner_id: {figure: value}}`` of every member of a peer group."""
    return {member: kpi_values(sums) for member, sums in member_sums(group.members, since, until, state).items()}


def warm(today) -> int:
    """Compute and keep the sums of every peer group and of the whole program for the standard periods
    (and their previous periods, for the program); how many."""
    from partners.selectors import all_partner_ids, all_peer_groups

    from .figures import rollup_state
    from .periods import CHOICES, dashboard_period

    state = rollup_state()
    everyone = all_partner_ids()
    count = 0
    for key, _label in CHOICES:
        if key == "custom":
            continue
        period = dashboard_period(key, today=today)
        for group in all_peer_groups():
            member_sums(group.members, period.since, period.until, state)
            count += 1
        member_sums(everyone, period.since, period.until, state)
        member_sums(everyone, period.previous_since, period.previous_until, state)
        count += 2
    return count
