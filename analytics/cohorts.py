"""Time from joining to the first won deal, by cohort (the quarter a partner joined): how many
partners joined, how many have won a deal since, and the median number of days it took them. A
deal won before the partner joined the portal (history brought in) counts as day 0."""

from __future__ import annotations

import statistics
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

COHORTS = 8  # the newest quarters shown


def _quarter(moment) -> tuple[int, int]:
    day = timezone.localtime(moment).date()
    return day.year, (day.month - 1) // 3 + 1


def cohorts(partners, first_won: dict) -> list[dict]:
    """The newest ``COHORTS`` quarters with a partner joining, newest first: ``label``, ``joined``,
    ``won`` (partners with a won deal) and ``median_days`` (None when none has won)."""
    groups: dict[tuple[int, int], list] = defaultdict(list)
    for partner in partners:
        groups[_quarter(partner.created_at)].append(partner)
    rows = []
    for (year, quarter), members in sorted(groups.items(), reverse=True)[:COHORTS]:
        days = [max((first_won[p.pk] - p.created_at).days, 0) for p in members if first_won.get(p.pk) is not None]
        rows.append(
            {
                "label": _("Q%(quarter)s %(year)s") % {"quarter": quarter, "year": year},
                "joined": len(members),
                "won": len(days),
                "median_days": statistics.median(days) if days else None,
            }
        )
    return rows
