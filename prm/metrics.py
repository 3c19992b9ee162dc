"""Figures that apps expose to each other: named, batchable metric selectors.

An app registers its metrics in ``AppConfig.ready()``; readers (tier requirements, analytics,
journeys) ask for them by name and never import the app that owns them::

    register_metric("deals.won", deals_won, label=_("deals won"), requirement=ngettext_lazy(...))
    metric_values("deals.won", partner_ids, Period(since=date(2026, 1, 1)))  # {partner_id: 3, ...}

A metric selector takes partner ids and a ``Period`` and returns a plain ``{partner_id: number}``
mapping, in a fixed number of queries however many partners are asked for. Partners it leaves out
count as 0. A metric registered without a selector is one the portal does not measure (yet): it
may be a requirement, shown with its threshold, but it has no values.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

Number = int | Decimal

COUNT = "count"
MONEY = "money"  # an amount in the partner's program currency


@dataclass(frozen=True)
class Period:
    """Calendar days from ``since`` to ``until``, both included; None leaves that side open."""

    since: datetime.date | None = None
    until: datetime.date | None = None

    @classmethod
    def trailing(cls, days: int, *, today: datetime.date | None = None) -> Period:
        """The ``days`` days up to today, and whatever is dated later (nothing is cut off at the end)."""
        today = today or timezone.localdate()
        return cls(since=today - datetime.timedelta(days=days))

    def dates(self, field: str) -> Q:
        """The condition on a date column."""
        condition = Q()
        if self.since is not None:
            condition &= Q(**{f"{field}__gte": self.since})
        if self.until is not None:
            condition &= Q(**{f"{field}__lte": self.until})
        return condition

    def moments(self, field: str) -> Q:
        """The condition on a timestamp column: from the start of ``since`` to the end of ``until``,
        in the current time zone (one range, so an index on the column serves it)."""
        condition = Q()
        if self.since is not None:
            condition &= Q(**{f"{field}__gte": _start_of(self.since)})
        if self.until is not None:
            condition &= Q(**{f"{field}__lt": _start_of(self.until + datetime.timedelta(days=1))})
        return condition


ALL_TIME = Period()


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


MetricSelector = Callable[[list[int], Period], Mapping[int, Number]]
# The same figure day by day: ``{(partner_id, day): value}`` over a bounded period, the day being the
# one a registration, an offer… counts on. Summed over the period's days, it gives the selector's values.
DailySelector = Callable[[list[int], Period], Mapping[tuple[int, datetime.date], Number]]


@dataclass(frozen=True)
class Metric:
    name: str
    selector: MetricSelector | None
    label: str  # lazy; what the admin offers
    unit: str = COUNT
    # A threshold in words, as a tier requirement shows it (tiers measure the trailing 12 months,
    # which the wording may say). Count metrics: a plural text with %(counter)s; money metrics: a text
    # with %(amount)s (the threshold with its currency).
    requirement: str = ""
    # The public program page's wording, when it differs: %(amount)s is then the bare number
    # and %(currency)s the program currency.
    public_requirement: str = ""
    daily: DailySelector | None = None
    # Offered as a tier requirement (``metrics()``); a figure only dashboards read is not.
    offered: bool = True

    @property
    def measured(self) -> bool:
        return self.selector is not None


_REGISTRY: dict[str, Metric] = {}


def register_metric(
    name: str,
    fn: MetricSelector | None,
    *,
    label,
    unit: str = COUNT,
    requirement="",
    public_requirement="",
    daily: DailySelector | None = None,
    offered: bool = True,
) -> Metric:
    """Registers a metric; a name registered twice is refused (ValueError)."""
    if name in _REGISTRY:
        raise ValueError(f"The metric {name!r} is registered already.")
    if unit not in (COUNT, MONEY):
        raise ValueError(f"Unknown unit {unit!r} of metric {name!r}.")
    metric = Metric(
        name=name,
        selector=fn,
        label=label,
        unit=unit,
        requirement=requirement or label,
        public_requirement=public_requirement or requirement or label,
        daily=daily,
        offered=offered,
    )
    _REGISTRY[name] = metric
    return metric


def unregister_metric(name: str) -> None:
    """Removes a metric (for tests that register their own)."""
    _REGISTRY.pop(name, None)


def get_metric(name: str) -> Metric:
    """The metric of that name; LookupError when none is registered."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"No metric {name!r} is registered.") from None


def is_metric(name: str) -> bool:
    return name in _REGISTRY


def metrics() -> list[tuple[str, str]]:
    """(name, translated label) of every metric offered as a requirement, sorted by label, for a choice field."""
    return sorted(
        ((m.name, str(m.label)) for m in _REGISTRY.values() if m.offered), key=lambda choice: choice[1].lower()
    )


def metric_values(name: str, partner_ids: Iterable[int], period: Period = ALL_TIME) -> dict[int, Number]:
    """``{partner_id: value}`` for every partner asked for (0 where the metric found nothing), or an
    empty mapping for a metric the portal does not measure."""
    metric = get_metric(name)
    ids = sorted(set(partner_ids))
    if metric.selector is None or not ids:
        return {}
    found = metric.selector(ids, period)
    return {partner_id: found.get(partner_id, 0) for partner_id in ids}


def measured_metrics() -> list[Metric]:
    """The metrics that have values, by name."""
    return sorted((m for m in _REGISTRY.values() if m.measured), key=lambda metric: metric.name)


def metric_daily_values(
    name: str, partner_ids: Iterable[int], period: Period
) -> dict[tuple[int, datetime.date], Number]:
    """``{(partner_id, day): value}`` of a measured metric over a bounded period, zeros left out: read
    with the metric's daily selector in a fixed number of queries, or, for a metric registered without
    one, with its selector once a day."""
    if period.since is None or period.until is None:
        raise ValueError("A daily reading needs a bounded period.")
    metric = get_metric(name)
    ids = sorted(set(partner_ids))
    if metric.selector is None or not ids or period.until < period.since:
        return {}
    if metric.daily is not None:
        found = metric.daily(ids, period)
        return {key: value for key, value in found.items() if value}
    values = {}
    day = period.since
    while day <= period.until:
        for partner_id, value in metric.selector(ids, Period(since=day, until=day)).items():
            if value:
                values[(partner_id, day)] = value
        day += datetime.timedelta(days=1)
    return values


# --- Activity ---------------------------------------------------------------------------------------
# What a partner did last, by kind (a login, a deal registered, a lead worked, a course taken): each
# app registers a reader of its kind; the dashboards ask for the newest moment of every kind at once.
# A reader takes partner ids and a moment (None: all time) and returns ``{partner_id: moment}`` of its
# kind's newest activity at or after that moment, in a fixed number of queries.

ActivityReader = Callable[[list[int], datetime.datetime | None], Mapping[int, datetime.datetime]]


@dataclass(frozen=True)
class ActivityKind:
    name: str
    reader: ActivityReader
    label: str  # lazy: "a login", "a deal registration"…


_ACTIVITIES: dict[str, ActivityKind] = {}


def register_activity(name: str, reader: ActivityReader, *, label) -> ActivityKind:
    """Registers a kind of partner activity; a name registered twice is refused (ValueError)."""
    if name in _ACTIVITIES:
        raise ValueError(f"The activity {name!r} is registered already.")
    kind = _ACTIVITIES[name] = ActivityKind(name=name, reader=reader, label=label)
    return kind


def unregister_activity(name: str) -> None:
    _ACTIVITIES.pop(name, None)


def activity_label(name: str) -> str:
    """The label of a kind of activity, or the empty text for one no longer registered."""
    kind = _ACTIVITIES.get(name)
    return str(kind.label) if kind is not None else ""


def latest_activity(
    partner_ids: Iterable[int], since: datetime.datetime | None = None
) -> dict[int, tuple[datetime.datetime, str]]:
    """``{partner_id: (moment, kind)}``: each partner's newest activity of any registered kind at or
    after ``since``; partners without any are left out."""
    ids = sorted(set(partner_ids))
    latest: dict[int, tuple[datetime.datetime, str]] = {}
    if not ids:
        return latest
    for name in sorted(_ACTIVITIES):
        for partner_id, moment in _ACTIVITIES[name].reader(ids, since).items():
            if moment is not None and (partner_id not in latest or moment > latest[partner_id][0]):
                latest[partner_id] = (moment, name)
    return latest
