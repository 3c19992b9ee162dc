"""The routing engine: which partner gets a lead, and why. Pure reads and in-memory decisions.

``RoutingContext.load()`` reads everything a batch needs once (rules, their cursors, the eligible
partners with their capacity, location and performance statistics, the program settings); then
``context.route(lead, excluded)`` decides one lead in memory and records the decision in the context
(open-lead counts and round-robin cursors move on), so a batch of any size costs a constant number
of queries. The writes are the service's (``leads.services``). Within a context the per-lead work
is kept small for batches of thousands: each rule keeps its partners with room (rebuilt only when a
partner fills up, since capacity only fills during a run) and, for ``weighted``, a heap of scores
refreshed lazily; the decisions are exactly those of scoring every partner for every lead
(``benchmarks/leads.py --engine-only --compare-engine`` checks it against another version).

Rules are tried in their order. A rule matches a lead when every non-empty criterion holds
(country, region or state, industry, product interest, company size, rating). Its partner pool is
the active partners that completed onboarding, accepted the current agreement, pass the rule's
filters (minimum tier rank, at least one of the specialties, partner country, a region served) and
are under capacity; partners that declined the lead or let it lapse are left out. The first matching
rule with at least one candidate wins; a matching rule without candidates is recorded in the
explanation and the next rule is tried.

Strategies (all deterministic, ties broken by the lowest partner id):

- ``round_robin``: the candidates in partner-id order; the first one after the rule's cursor (the
  partner that received the rule's last lead), wrapping around.
- ``weighted``: score = tier lead weight × performance ÷ (2 × open leads + 1), the Sainte-Laguë
  quotient: the partner least loaded relative to its weight wins, so open leads spread in
  proportion to weight × performance without favouring the heavy partners.
  performance = 0.5 + 0.4·acceptance + 0.2·speed + 0.4·conversion, in [0.5, 1.5], over the offers
  of the last 180 days:
    acceptance = (accepted + 2) / (answered + 4)      (answered: accepted, declined or lapsed)
    speed      = 1 − mean time to accept ÷ the acceptance window, clipped to [0, 1]; 0.5 without data
    conversion = (won + 2) / (accepted + 4)           (won: converted leads whose deal is won)
  Two pseudo-observations each way make a partner without history score 0.5 everywhere, hence a
  performance of exactly 1.0, and keep a single early outcome from swinging the score.
- ``nearest``: the distance (haversine, km) where the lead and the partner both have coordinates;
  otherwise same region or state, then same country, then the rest. Sort key (class, distance).
"""

from __future__ import annotations

import bisect
import datetime
import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils import timezone

from partners.models import Partner, PartnerAddress
from partners.models.onboarding import AgreementAcceptance, AgreementVersion
from partners.onboarding import ONBOARDING_COMPLETE, with_onboarding_counts
from prm.sql import id_array

from .models import (
    EXCLUDING_OUTCOMES,
    HELD_STATUSES,
    AssignmentRule,
    AssignmentStrategy,
    Lead,
    LeadAssignment,
    LeadProgramSettings,
    LeadStatus,
    PartnerLocation,
    RuleCursor,
)

PERFORMANCE_DAYS = 180
PRIOR = 2  # pseudo-observations on each side of the acceptance and conversion rates
EXPLANATION_CANDIDATES = 10  # the winner and the runners-up written into the explanation
EARTH_RADIUS_KM = 6371.0088
DEFAULT_ACCEPTANCE_SECONDS = 2 * 24 * 3600
NEAREST_BASIS = {0: "distance", 1: "same_region", 2: "same_country", 3: "elsewhere"}


def _norm(text: str) -> str:
    return " ".join((text or "").split()).casefold()


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass
class PartnerStats:
    answered: int = 0
    accepted: int = 0
    accept_seconds: float = 0.0
    won: int = 0


def performance(stats: PartnerStats, window_seconds: float = DEFAULT_ACCEPTANCE_SECONDS) -> dict:
    """The performance score of a partner and its components (see the module's docstring)."""
    acceptance = (stats.accepted + PRIOR) / (stats.answered + 2 * PRIOR)
    if stats.accepted:
        mean = stats.accept_seconds / stats.accepted
        speed = min(1.0, max(0.0, 1.0 - mean / window_seconds)) if window_seconds > 0 else 0.5
    else:
        speed = 0.5
    conversion = (stats.won + PRIOR) / (stats.accepted + 2 * PRIOR)
    score = 0.5 + 0.4 * acceptance + 0.2 * speed + 0.4 * conversion
    return {
        "acceptance": round(acceptance, 4),
        "speed": round(speed, 4),
        "conversion": round(conversion, 4),
        "performance": round(score, 4),
    }


@dataclass
class Candidate:
    id: int
    name: str
    program_id: int
    country: str
    regions: frozenset
    specialties: frozenset
    tier_rank: int
    lead_weight: int
    latitude: float | None
    longitude: float | None
    region: str  # normalised region or state of the partner's location (or head office)
    open_leads: int
    capacity: int | None
    perf: dict = field(default_factory=dict)
    # Derived once (``__post_init__``) for the hot loop of ``route``: lead weight × performance, the
    # latitude in radians and its cosine (None without coordinates).
    weight_perf: float = field(init=False, repr=False)
    lat_rad: float | None = field(init=False, repr=False)
    cos_lat: float | None = field(init=False, repr=False)

    def __post_init__(self):
        self.weight_perf = self.lead_weight * self.perf.get("performance", 1.0)
        if self.latitude is not None and self.longitude is not None:
            self.lat_rad = math.radians(self.latitude)
            self.cos_lat = math.cos(self.lat_rad)
        else:
            self.lat_rad = self.cos_lat = None

    @property
    def has_room(self) -> bool:
        return self.capacity is None or self.open_leads < self.capacity


@dataclass
class Decision:
    partner_id: int | None
    rule_id: int | None
    strategy: str
    explanation: dict


@dataclass
class _Rule:
    id: int
    name: str
    strategy: str
    countries: frozenset
    regions: frozenset
    industries: frozenset
    products: frozenset
    company_sizes: frozenset
    ratings: frozenset
    pool: list  # Candidates admitted by the rule's filters, in partner-id order
    # The pool's partners under capacity (and their ids, for bisect), valid while no partner of the
    # context has filled up since (``RoutingContext.filled``: capacity only fills during a run).
    room: list = field(default_factory=list, repr=False)
    room_ids: list = field(default_factory=list, repr=False)
    room_filled: int = field(default=-1, repr=False)
    heap: list | None = field(default=None, repr=False)  # the weighted strategy's (see _weighted)

    def matches(self, lead: Lead) -> bool:
        return self._matches(
            lead.country, _norm(lead.region), lead.industry, lead.product_id, lead.company_size, lead.rating
        )

    def _matches(self, country, region, industry, product_id, company_size, rating) -> bool:
        return (
            (not self.countries or country in self.countries)
            and (not self.regions or region in self.regions)
            and (not self.industries or industry in self.industries)
            and (not self.products or product_id in self.products)
            and (not self.company_sizes or company_size in self.company_sizes)
            and (not self.ratings or rating in self.ratings)
        )


def _admits(rule: AssignmentRule, specialties: frozenset, candidate: Candidate) -> bool:
    return (
        (rule.min_tier_rank is None or candidate.tier_rank >= rule.min_tier_rank)
        and (not specialties or bool(specialties & candidate.specialties))
        and (not rule.partner_countries or candidate.country in rule.partner_countries)
        and (not rule.partner_regions or bool(set(rule.partner_regions) & candidate.regions))
    )


def eligible_partners(now: datetime.datetime | None = None):
    """Active partners that completed onboarding and accepted the current agreement of their program."""
    current = AgreementVersion.objects.filter(program_id=OuterRef("program_id"), published_at__isnull=False).order_by(
        "-version"
    )
    accepted = AgreementAcceptance.objects.filter(
        partner_id=OuterRef("pk"), version_id=OuterRef("current_agreement_id")
    )
    return (
        with_onboarding_counts(Partner.objects.filter(is_active=True))
        .filter(ONBOARDING_COMPLETE)
        .annotate(current_agreement_id=Subquery(current.values("pk")[:1]))
        .filter(Q(current_agreement_id__isnull=True) | Q(Exists(accepted)))
    )


def partner_stats(partner_ids, now: datetime.datetime) -> dict[int, PartnerStats]:
    """Offers of the last PERFORMANCE_DAYS per partner: answered, accepted, time to accept, won."""
    since = now - datetime.timedelta(days=PERFORMANCE_DAYS)
    stats: dict[int, PartnerStats] = defaultdict(PartnerStats)
    rows = (
        LeadAssignment.objects.filter(partner_id__in=partner_ids, assigned_at__gte=since)
        .filter(Q(accepted_at__isnull=False) | Q(outcome__in=EXCLUDING_OUTCOMES))
        .values("partner_id")
        .annotate(answered=Count("pk"), accepted=Count("pk", filter=Q(accepted_at__isnull=False)))
    )
    for row in rows:
        s = stats[row["partner_id"]]
        s.answered, s.accepted = row["answered"], row["accepted"]
    durations = (
        LeadAssignment.objects.filter(partner_id__in=partner_ids, assigned_at__gte=since, accepted_at__isnull=False)
        .values("partner_id", "assigned_at", "accepted_at")
        .iterator(chunk_size=5000)
    )
    for row in durations:
        stats[row["partner_id"]].accept_seconds += (row["accepted_at"] - row["assigned_at"]).total_seconds()
    won = (
        Lead.objects.filter(
            partner_id__in=partner_ids, status=LeadStatus.CONVERTED, accepted_at__gte=since, deal__status="won"
        )
        .values("partner_id")
        .annotate(won=Count("pk"))
    )
    for row in won:
        stats[row["partner_id"]].won = row["won"]
    return stats


class RoutingContext:
    """What one routing run knows, loaded once; decisions update it in memory."""

    def __init__(self, *, now=None):
        self.now = now or timezone.now()
        self.settings: dict[int, LeadProgramSettings] = {}
        self.candidates: dict[int, Candidate] = {}
        self.rules: list[_Rule] = []
        self.cursors: dict[int, int | None] = {}
        self.moved_cursors: set[int] = set()
        self.now_iso = self.now.isoformat()
        self.filled = 0  # partners that reached their capacity during the run (see _Rule.room)

    @classmethod
    def load(cls, *, now=None, lock_cursors: bool = True) -> RoutingContext:
        context = cls(now=now)
        context._load_partners()
        context._load_rules(lock_cursors=lock_cursors)
        return context

    def settings_for(self, program_id: int) -> LeadProgramSettings:
        if program_id not in self.settings:
            from .services.config import program_settings  # the services import the engine

            self.settings[program_id] = program_settings(program_id)
        return self.settings[program_id]

    def _load_partners(self) -> None:
        rows = list(
            eligible_partners(self.now).values(
                "pk", "name", "program_id", "country", "regions", "tier__rank", "tier__lead_weight"
            )
        )
        ids = [row["pk"] for row in rows]
        for program_id in {row["program_id"] for row in rows} - set(self.settings):
            self.settings_for(program_id)
        specialties = defaultdict(set)
        for partner_id, specialty_id in Partner.specialties.through.objects.filter(partner_id__in=ids).values_list(
            "partner_id", "specialty_id"
        ):
            specialties[partner_id].add(specialty_id)
        locations = {loc.pk: loc for loc in PartnerLocation.objects.filter(partner_id__in=ids)}
        head_office = dict(
            PartnerAddress.objects.filter(partner_id__in=ids, kind="head_office")
            .order_by("partner_id", "-id")
            .values_list("partner_id", "state")
        )
        open_leads = dict(
            Lead.objects.filter(partner_id__in=ids, status__in=HELD_STATUSES)
            .values("partner_id")
            .annotate(n=Count("pk"))
            .values_list("partner_id", "n")
        )
        stats = partner_stats(ids, self.now)
        for row in rows:
            pk = row["pk"]
            location = locations.get(pk)
            settings = self.settings[row["program_id"]]
            window = max(1, settings.acceptance_days) * 24 * 3600
            self.candidates[pk] = Candidate(
                id=pk,
                name=row["name"],
                program_id=row["program_id"],
                country=row["country"],
                regions=frozenset(row["regions"] or ()),
                specialties=frozenset(specialties.get(pk, ())),
                tier_rank=row["tier__rank"] or 0,
                lead_weight=row["tier__lead_weight"] if row["tier__lead_weight"] is not None else 1,
                latitude=location.latitude if location else None,
                longitude=location.longitude if location else None,
                region=_norm((location.region if location and location.region else head_office.get(pk)) or ""),
                open_leads=open_leads.get(pk, 0),
                capacity=settings.max_open_leads,
                perf=performance(stats.get(pk, PartnerStats()), window),
            )

    def _load_rules(self, *, lock_cursors: bool) -> None:
        rules = list(AssignmentRule.objects.filter(is_active=True).prefetch_related("products", "specialties"))
        ordered = [self.candidates[pk] for pk in sorted(self.candidates)]
        for rule in rules:
            specialties = frozenset(s.pk for s in rule.specialties.all())
            self.rules.append(
                _Rule(
                    id=rule.pk,
                    name=rule.name,
                    strategy=rule.strategy,
                    countries=frozenset(rule.countries),
                    regions=frozenset(_norm(r) for r in rule.regions),
                    industries=frozenset(rule.industries),
                    products=frozenset(p.pk for p in rule.products.all()),
                    company_sizes=frozenset(rule.company_sizes),
                    ratings=frozenset(rule.ratings),
                    pool=[c for c in ordered if _admits(rule, specialties, c)],
                )
            )
        rule_ids = [rule.id for rule in self.rules if rule.strategy == AssignmentStrategy.ROUND_ROBIN]
        if rule_ids:
            RuleCursor.objects.bulk_create([RuleCursor(rule_id=pk) for pk in rule_ids], ignore_conflicts=True)
            cursors = RuleCursor.objects.filter(rule_id__in=rule_ids).order_by("pk")
            if lock_cursors:
                cursors = cursors.select_for_update()
            self.cursors = dict(cursors.values_list("rule_id", "last_partner_id"))

    # --- Deciding ------------------------------------------------------------------------------

    def route(self, lead: Lead, excluded: set[int] | frozenset = frozenset()) -> Decision:
        """Choose a partner for ``lead`` (None: no rule placed it) and count the choice in the context."""
        tried = []
        country, region, industry = lead.country, _norm(lead.region), lead.industry
        product_id, company_size, rating = lead.product_id, lead.company_size, lead.rating
        for rule in self.rules:
            if not rule._matches(country, region, industry, product_id, company_size, rating):
                continue
            if rule.room_filled != self.filled:
                rule.room = [c for c in rule.pool if c.capacity is None or c.open_leads < c.capacity]
                rule.room_ids = [c.id for c in rule.room]
                rule.room_filled = self.filled
            if excluded:
                available = [c for c in rule.room if c.id not in excluded]
                available_ids = [c.id for c in available]
            else:
                available, available_ids = rule.room, rule.room_ids
            if not available:
                tried.append({"rule": rule.id, "name": rule.name, "candidates": 0})
                continue
            if rule.strategy == AssignmentStrategy.ROUND_ROBIN:
                winner, ranked, reason = self._round_robin(rule, lead, available, available_ids)
            elif rule.strategy == AssignmentStrategy.WEIGHTED:
                winner, ranked, reason = self._weighted(rule, excluded)
            else:
                winner, ranked, reason = getattr(self, f"_{rule.strategy}")(rule, lead, available)
            winner.open_leads += 1
            if winner.capacity is not None and winner.open_leads >= winner.capacity:
                self.filled += 1  # the rules' lists of partners with room are out of date
            if rule.strategy == AssignmentStrategy.ROUND_ROBIN:
                self.cursors[rule.id] = winner.id
                self.moved_cursors.add(rule.id)
            explanation = {
                "rule": rule.id,
                "rule_name": rule.name,
                "strategy": rule.strategy,
                "at": self.now_iso,
                "winner": winner.id,
                "reason": reason,
                "candidates_count": len(available),
                "excluded": sorted(excluded) if excluded else [],
                "candidates": ranked,
            }
            if tried:
                explanation["rules_without_candidates"] = tried
            return Decision(winner.id, rule.id, rule.strategy, explanation)
        return Decision(
            None,
            None,
            "",
            {"at": self.now_iso, "reason": "no_rule", "rules_without_candidates": tried},
        )

    def _round_robin(self, rule: _Rule, lead: Lead, available: list[Candidate], ids: list[int] | None = None):
        last = self.cursors.get(rule.id)
        count = len(available)
        start = 0
        if last is not None:
            # The first candidate after the cursor in partner-id order, wrapping around.
            start = bisect.bisect_right(ids if ids is not None else [c.id for c in available], last)
            if start == count:
                start = 0
        ranked = []
        for i in range(min(EXPLANATION_CANDIDATES, count)):
            c = available[(start + i) % count]
            ranked.append({"partner": c.id, "name": c.name, "position": i + 1, "open_leads": c.open_leads})
        return available[start], ranked, {"code": "next_in_turn", "after_partner": last}

    def _weighted(self, rule: _Rule, excluded):
        """The highest scores (see the module's docstring) without scoring the whole pool for every lead: a heap per rule of
        (-score, partner id, open leads when scored, candidate). A score only falls during a run (open
        leads only grow), so a stored entry is never worse than the partner's current score: an entry
        popped with an up-to-date count is the best; an out-of-date one is scored again and pushed
        back. Partners that filled up leave the heap; excluded ones are passed over."""
        heap = rule.heap
        if heap is None:
            heap = rule.heap = [(-c.weight_perf / (2 * c.open_leads + 1), c.id, c.open_leads, c) for c in rule.room]
            heapq.heapify(heap)
        heappop, heappush = heapq.heappop, heapq.heappush
        best, passed = [], []
        while heap and len(best) < EXPLANATION_CANDIDATES:
            entry = heappop(heap)
            c = entry[3]
            if c.capacity is not None and c.open_leads >= c.capacity:
                continue  # full for the rest of the run
            if entry[2] != c.open_leads:
                heappush(heap, (-c.weight_perf / (2 * c.open_leads + 1), c.id, c.open_leads, c))
                continue
            (passed if c.id in excluded else best).append(entry)
        for entry in best:
            heappush(heap, entry)
        for entry in passed:
            heappush(heap, entry)
        ranked = [
            {
                "partner": c.id,
                "name": c.name,
                "score": round(-negative, 6),
                "lead_weight": c.lead_weight,
                "open_leads": c.open_leads,
                **c.perf,
            }
            for negative, _id, _open, c in best
        ]
        return best[0][3], ranked, {"code": "highest_score"}

    def _nearest(self, rule: _Rule, lead: Lead, available: list[Candidate]):
        region = _norm(lead.region)
        country = lead.country
        keys = []
        if lead.latitude is not None and lead.longitude is not None:
            # haversine_km() inlined, with the candidates' radians and cosines computed once.
            lon1 = lead.longitude
            p1 = math.radians(lead.latitude)
            cos_p1 = math.cos(p1)
            sin, radians, asin, sqrt = math.sin, math.radians, math.asin, math.sqrt
            diameter = 2 * EARTH_RADIUS_KM
            for c in available:
                if c.lat_rad is not None:
                    dl = radians(c.longitude - lon1)
                    a = sin((c.lat_rad - p1) / 2) ** 2 + cos_p1 * c.cos_lat * sin(dl / 2) ** 2
                    keys.append((0, round(diameter * asin(min(1.0, sqrt(a))), 3), c.id, c))
                elif region and c.region == region:
                    keys.append((1, 0.0, c.id, c))
                elif c.country == country:
                    keys.append((2, 0.0, c.id, c))
                else:
                    keys.append((3, 0.0, c.id, c))
        else:
            for c in available:
                if region and c.region == region:
                    keys.append((1, 0.0, c.id, c))
                elif c.country == country:
                    keys.append((2, 0.0, c.id, c))
                else:
                    keys.append((3, 0.0, c.id, c))
        best = heapq.nsmallest(EXPLANATION_CANDIDATES, keys)
        ranked = [
            {
                "partner": c.id,
                "name": c.name,
                "basis": NEAREST_BASIS[kind],
                "distance_km": distance if kind == 0 else None,
            }
            for kind, distance, _id, c in best
        ]
        return best[0][3], ranked, {"code": "nearest", "basis": NEAREST_BASIS[best[0][0]]}

    def save_cursors(self) -> None:
        """Write the round-robin cursors that moved (the caller holds their locks)."""
        for rule_id in sorted(self.moved_cursors):
            RuleCursor.objects.filter(rule_id=rule_id).update(
                last_partner_id=self.cursors[rule_id], updated_at=self.now
            )
        self.moved_cursors.clear()


def excluded_partners(lead_ids) -> dict[int, set[int]]:
    """Per lead, the partners that declined it or let it lapse."""
    excluded: dict[int, set[int]] = defaultdict(set)
    for lead_id, partner_id in LeadAssignment.objects.filter(
        lead_id__in=id_array(lead_ids), outcome__in=EXCLUDING_OUTCOMES
    ).values_list("lead_id", "partner_id"):
        excluded[lead_id].add(partner_id)
    return excluded


def explain(lead: Lead, *, now=None) -> Decision:
    """What the rules would decide for ``lead`` now, without writing anything (a dry run)."""
    context = RoutingContext.load(now=now, lock_cursors=False)
    return context.route(lead, excluded_partners([lead.pk]).get(lead.pk, set()))
