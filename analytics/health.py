"""The CAM's portfolio: each partner's health, its activity and onboarding, and the inactive partners.

**Health** is a score from 0 to 100, the weighted mean of the components a partner has a value for
(the weights of the others are shared out):

- *activity* (40): 100 when the partner was active in the last 7 days, 0 once its program's
  inactivity threshold has passed (or it never was), linear in between;
- *pipeline* (30): the partner's percentile among the partners of the portfolio by registrations
  submitted in the last 90 days;
- *SLA compliance* (30): the share of its lead clocks (acceptance, first contact) met in time over the
  last 90 days; a partner without any clock has no value;
- *certification coverage* joins once an app measures certified people (``partners.certified_people``).

A score of 70 or more is healthy, under 40 at risk. The figures are those of the rolled-up days
(``analytics.peers.member_sums``, kept per rollup run); activity is the hourly check's
(``services.activity``).
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.selectors import active_partners, partner_ids_visible, partners_with_counts
from prm.metrics import activity_label

from .figures import rollup_state
from .models import PartnerActivity, ProgramAnalyticsSettings
from .peers import kept, member_sums
from .program import _percentiles

WEIGHTS = {"activity": 40, "pipeline": 30, "sla": 30}
LABELS = {"activity": _("Activity"), "pipeline": _("Pipeline"), "sla": _("SLA compliance")}
WINDOW_DAYS = 90
RECENT_DAYS = 7
HEALTHY, AT_RISK = 70, 40
PAGE_SIZE = 25


@dataclass(frozen=True)
class Health:
    score: int | None
    components: tuple  # ((label, value 0–100), …) of the components with a value

    @property
    def tone(self) -> str:
        if self.score is None:
            return "neutral"
        return "good" if self.score >= HEALTHY else "action" if self.score >= AT_RISK else "bad"

    @property
    def label(self) -> str:
        if self.score is None:
            return str(_("no figures yet"))
        if self.score >= HEALTHY:
            return str(_("healthy"))
        return str(_("to watch") if self.score >= AT_RISK else _("at risk"))


def activity_score(last: datetime.datetime | None, now: datetime.datetime, threshold_days: int) -> int:
    """100 up to ``RECENT_DAYS`` days after the last activity, 0 from ``threshold_days``, linear between."""
    if last is None:
        return 0
    days = Decimal((now - last).total_seconds()) / 86400
    if days <= RECENT_DAYS:
        return 100
    if days >= threshold_days or threshold_days <= RECENT_DAYS:
        return 0
    return int((threshold_days - days) * 100 / (threshold_days - RECENT_DAYS) + Decimal("0.5"))


def health(components: dict[str, int | None]) -> Health:
    present = {name: value for name, value in components.items() if value is not None and WEIGHTS.get(name)}
    if not present:
        return Health(score=None, components=())
    weight = sum(WEIGHTS[name] for name in present)
    score = int(Decimal(sum(WEIGHTS[name] * value for name, value in present.items())) / weight + Decimal("0.5"))
    return Health(score=score, components=tuple((LABELS[name], value) for name, value in present.items()))


def sla_share(sums: dict) -> int | None:
    met, missed = sums.get("leads.sla_met", 0), sums.get("leads.sla_missed", 0)
    if not met + missed:
        return None
    return int(Decimal(met) * 100 / (met + missed) + Decimal("0.5"))


@dataclass(frozen=True)
class PortfolioRow:
    partner: object  # with onboarding_done / onboarding_total
    health: Health
    last_activity_at: datetime.datetime | None
    last_activity: str  # its kind, in words
    inactive_since: datetime.datetime | None
    registrations: int


def _scored(partners, now, state) -> list[tuple]:
    """``(score or 101, name, pk, components, last_at, kind, inactive_since, registrations)`` of each
    partner, the least healthy first (a partner without any figure last)."""
    today = timezone.localdate(now)
    ids = [p.pk for p in partners]
    sums = member_sums(ids, today - datetime.timedelta(days=WINDOW_DAYS), today - datetime.timedelta(days=1), state)
    activity = {
        row[0]: row[1:]
        for row in PartnerActivity.objects.filter(partner_id__in=ids).values_list(
            "partner_id", "last_activity_at", "last_activity_kind", "inactive_since"
        )
    }
    default = ProgramAnalyticsSettings._meta.get_field("inactivity_days").default
    thresholds = dict(ProgramAnalyticsSettings.objects.values_list("program_id", "inactivity_days"))
    registrations = {pk: sums.get(pk, {}).get("deals.registered", 0) for pk in ids}
    pipeline = _percentiles(dict(registrations))
    scored = []
    for partner in partners:
        last, kind, inactive_since = activity.get(partner.pk, (None, "", None))
        components = {
            "activity": (
                activity_score(last, now, thresholds.get(partner.program_id, default))
                if partner.pk in activity
                else None
            ),
            "pipeline": pipeline.get(partner.pk) if len(ids) > 1 else None,
            "sla": sla_share(sums.get(partner.pk, {})),
        }
        score = health(components).score
        scored.append(
            (
                101 if score is None else score,
                partner.name.lower(),
                partner.pk,
                components,
                last,
                kind,
                inactive_since,
                int(registrations.get(partner.pk, 0)),
            )
        )
    scored.sort(key=lambda row: row[:3])
    return scored


def _kept_scored(partners, now) -> list[tuple]:
    """``_scored``, kept in the cache under the partners, the rollup run and the activity check (which
    runs hourly): a visit reads it again, not two thousand partners' figures."""
    state = rollup_state()
    checked = PartnerActivity.objects.aggregate(last=Max("checked_at"))["last"]
    settings = sorted(ProgramAnalyticsSettings.objects.values_list("program_id", "inactivity_days"))
    text = f"{[p.pk for p in partners]}|{state[1]}|{checked}|{settings}|{timezone.localdate(now)}"
    key = "analytics:portfolio:" + hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
    return kept(key, lambda: _scored(partners, now, state))


def portfolio(user, *, page: int | str = 1, now: datetime.datetime | None = None) -> dict:
    """The active partners in the user's scope, the least healthy first, a page at a time, with the
    count of inactive ones. A fixed number of queries whatever the portfolio's size."""
    now = now or timezone.now()
    scope = set(partner_ids_visible(user))
    partners = [p for p in active_partners() if p.pk in scope]
    scored = _kept_scored(partners, now)
    paginator = Paginator(scored, PAGE_SIZE)
    page_obj = paginator.get_page(page)
    shown = {p.pk: p for p in partners_with_counts(user).filter(pk__in=[row[2] for row in page_obj.object_list])}
    rows = [
        PortfolioRow(
            partner=shown[pk],
            health=health(components),
            last_activity_at=last,
            last_activity=activity_label(kind) if kind else "",
            inactive_since=inactive_since,
            registrations=registrations,
        )
        for _score, _name, pk, components, last, kind, inactive_since, registrations in page_obj.object_list
        if pk in shown
    ]
    return {
        "rows": rows,
        "page_obj": page_obj,
        "partners": len(partners),
        "inactive": sum(1 for row in scored if row[6] is not None),
        "at_risk": sum(1 for row in scored if row[0] < AT_RISK),
        "window_days": WINDOW_DAYS,
    }


def inactive_partners(user, *, limit: int = 10) -> dict:
    """The inactive partners in the user's scope, the longest inactive first: ``{"rows": [...], "count": n}``
    (two queries)."""
    rows = (
        PartnerActivity.objects.filter(
            inactive_since__isnull=False, partner_id__in=partner_ids_visible(user), partner__is_active=True
        )
        .select_related("partner")
        .order_by("inactive_since", "partner_id")
    )
    listed = [
        {
            "partner_id": row.partner_id,
            "name": row.partner.name,
            "last_activity_at": row.last_activity_at,
            "last_activity": activity_label(row.last_activity_kind),
            "inactive_since": row.inactive_since,
        }
        for row in rows[:limit]
    ]
    return {"rows": listed, "count": rows.count() if len(listed) == limit else len(listed)}
