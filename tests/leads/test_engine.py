"""The routing engine: criteria, pool filters, strategies, determinism, explanations."""

import datetime
from collections import Counter

import pytest
from django.utils import timezone

from catalogue.models import Product
from leads import services
from leads.engine import PartnerStats, RoutingContext, explain, haversine_km, performance
from leads.models import AssignmentOutcome, Lead, LeadAssignment, LeadStatus, PartnerLocation, RuleCursor
from partners.models import AgreementAcceptance, Specialty
from tests import factories

pytestmark = pytest.mark.django_db


def decide(lead, excluded=()):
    return RoutingContext.load().route(lead, set(excluded))


# --- Criteria: empty means any; every non-empty criterion must hold --------------------------------

CRITERIA_CASES = [
    # (rule criteria, lead fields, matches)
    ({}, {}, True),
    ({"countries": ["BR"]}, {"country": "BR"}, True),
    ({"countries": ["FR", "PT"]}, {"country": "BR"}, False),
    ({"regions": ["sp", "RJ"]}, {"region": "SP"}, True),
    ({"regions": ["RJ"]}, {"region": "SP"}, False),
    ({"regions": ["Île-de-France"]}, {"country": "FR", "region": " île-de-france "}, True),
    ({"industries": ["retail", "finance"]}, {"industry": "retail"}, True),
    ({"industries": ["finance"]}, {"industry": "retail"}, False),
    ({"company_sizes": ["50-249"]}, {"company_size": "50-249"}, True),
    ({"company_sizes": ["1000+"]}, {"company_size": "50-249"}, False),
    ({"ratings": ["A"]}, {"rating": "A"}, True),
    ({"ratings": ["B", "C"]}, {"rating": "A"}, False),
    ({"countries": ["BR"], "ratings": ["A"], "industries": ["retail"]}, {}, True),
    ({"countries": ["BR"], "ratings": ["B"]}, {}, False),
]


@pytest.mark.parametrize(("criteria", "lead_fields", "matches"), CRITERIA_CASES)
def test_rule_criteria(make_partner, make_rule, make_lead, criteria, lead_fields, matches):
    partner = make_partner()
    make_rule(**criteria)
    decision = decide(make_lead(**lead_fields))
    assert decision.partner_id == (partner.pk if matches else None)


def test_product_interest_criterion(make_partner, make_rule, make_lead):
    partner = make_partner()
    wanted, other = Product.objects.create(name_en="Cloud"), Product.objects.create(name_en="Edge")
    make_rule(products=[wanted])
    assert decide(make_lead(product=wanted)).partner_id == partner.pk
    assert decide(make_lead(product=other)).partner_id is None
    assert decide(make_lead()).partner_id is None


# --- Pool filters ---------------------------------------------------------------------------------


def _tier(rank, weight=1):
    return factories.TierFactory(program=factories.ProgramFactory(), rank=rank, lead_weight=weight)


POOL_CASES = [
    # (rule pool filters, partner fields, admitted)
    ({}, {}, True),
    ({"min_tier_rank": 2}, {"tier_rank": 2}, True),
    ({"min_tier_rank": 2}, {"tier_rank": 1}, False),
    ({"min_tier_rank": 2}, {}, False),  # a partner without tier has rank 0
    ({"partner_countries": ["BR"]}, {"country": "BR"}, True),
    ({"partner_countries": ["FR"]}, {"country": "BR"}, False),
    ({"partner_regions": ["latam"]}, {"regions": ["latam", "europe"]}, True),
    ({"partner_regions": ["apac"]}, {"regions": ["latam"]}, False),
    ({"specialties": True}, {"specialties": True}, True),
    ({"specialties": True}, {}, False),
]


@pytest.mark.parametrize(("pool", "partner_fields", "admitted"), POOL_CASES)
def test_pool_filters(make_partner, make_rule, make_lead, pool, partner_fields, admitted):
    pool, partner_fields = dict(pool), dict(partner_fields)
    specialty = Specialty.objects.create(name_en="Cloud")
    if pool.pop("specialties", False):
        pool["specialties"] = [specialty]
    if partner_fields.pop("specialties", False):
        partner_fields["specialties"] = [specialty]
    rank = partner_fields.pop("tier_rank", None)
    if rank:
        partner_fields["tier"] = _tier(rank)
    partner = make_partner(**partner_fields)
    make_rule(**pool)
    assert decide(make_lead()).partner_id == (partner.pk if admitted else None)


def test_partners_not_ready_are_left_out(make_partner, make_rule, make_lead, program):
    inactive = make_partner("Inactive", is_active=False)
    onboarding = make_partner("Onboarding")
    factories.OnboardingStepFactory(program=program)
    ready = make_partner("Ready")
    # The onboarding step is not done by anyone: nobody is complete until they do it.
    from partners.models import OnboardingProgress, OnboardingStep

    step = OnboardingStep.objects.get(program=program)
    OnboardingProgress.objects.create(partner=ready, step=step)
    make_rule()
    lead = make_lead()
    decision = decide(lead)
    assert decision.partner_id == ready.pk
    assert {inactive.pk, onboarding.pk}.isdisjoint(c["partner"] for c in decision.explanation["candidates"])


def test_agreement_must_be_accepted(make_partner, make_rule, make_lead, program):
    signed = make_partner("Signed")
    make_partner("Unsigned")
    version = factories.AgreementVersionFactory(program=program, published_at=timezone.now())
    AgreementAcceptance.objects.create(partner=signed, version=version, user=factories.partner_user(signed))
    make_rule()
    decision = decide(make_lead())
    assert decision.partner_id == signed.pk
    assert decision.explanation["candidates_count"] == 1


def test_capacity_and_declines_exclude(make_partner, make_rule, make_lead, lead_settings):
    a, b, c = make_partner("A"), make_partner("B"), make_partner("C")
    lead_settings.max_open_leads = 1
    lead_settings.save()
    Lead.objects.create(partner=a, status=LeadStatus.ACCEPTED, company="Busy", email="x@y.com", country="BR")
    make_rule(strategy="round_robin")
    lead = make_lead()
    assert decide(lead).partner_id == b.pk
    assert decide(lead, excluded={b.pk}).partner_id == c.pk
    assert decide(lead, excluded={b.pk, c.pk}).partner_id is None


def test_first_matching_rule_wins_and_empty_rules_fall_through(make_partner, make_rule, make_lead):
    br, fr = make_partner("BR partner", country="BR"), make_partner("FR partner", country="FR")
    make_rule("Brazil", order=1, countries=["BR"], partner_countries=["BR"])
    make_rule("Anything to France", order=2, partner_countries=["FR"])
    make_rule("Nobody", order=0, countries=["BR"], partner_countries=["JP"])
    decision = decide(make_lead(country="BR"))
    assert decision.partner_id == br.pk
    assert decision.explanation["rule_name"] == "Brazil"
    assert decision.explanation["rules_without_candidates"][0]["name"] == "Nobody"
    assert decide(make_lead(country="PT")).partner_id == fr.pk


def test_inactive_rules_are_ignored(make_partner, make_rule, make_lead):
    make_partner()
    make_rule(is_active=False)
    assert decide(make_lead()).partner_id is None


# --- Round-robin ------------------------------------------------------------------------------------


def test_round_robin_is_fair_over_a_thousand_leads(make_partner, make_rule, make_lead, lead_settings):
    lead_settings.max_open_leads = None
    lead_settings.save()
    partners = [make_partner(f"P{n}", sales=False) for n in range(10)]
    make_rule(strategy="round_robin")
    Lead.objects.bulk_create(
        [Lead(status=LeadStatus.POOL, company=f"C{n}", email=f"c{n}@x.com", country="BR") for n in range(1000)]
    )
    # In several runs: the cursor persists between them.
    for _ in range(4):
        services.leads_assign_batch(limit=250)
    counts = Counter(Lead.objects.filter(status=LeadStatus.OFFERED).values_list("partner_id", flat=True))
    assert set(counts) == {p.pk for p in partners}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert LeadAssignment.objects.filter(ended_at__isnull=True).count() == 1000


def test_round_robin_cursor_persists_and_wraps(make_partner, make_rule, make_lead, lead_settings):
    a, b, c = (make_partner(n, sales=False) for n in "ABC")
    rule = make_rule(strategy="round_robin")
    order = []
    for _ in range(4):
        lead = services.lead_assign_by_rules(actor=None, lead=make_lead())
        order.append(lead.partner_id)
    assert order == [a.pk, b.pk, c.pk, a.pk]
    assert RuleCursor.objects.get(rule=rule).last_partner_id == a.pk


# --- Weighted ---------------------------------------------------------------------------------------


def test_performance_without_history_is_neutral():
    assert performance(PartnerStats())["performance"] == 1.0


def test_performance_formula():
    good = performance(PartnerStats(answered=10, accepted=10, accept_seconds=0, won=10), 172800)
    bad = performance(PartnerStats(answered=10, accepted=0, won=0), 172800)
    assert good == {"acceptance": 0.8571, "speed": 1.0, "conversion": 0.8571, "performance": 1.3857}
    assert bad["performance"] == pytest.approx(0.5 + 0.4 * 2 / 14 + 0.2 * 0.5 + 0.4 * 0.5, abs=1e-4)
    assert 0.5 <= bad["performance"] < 1.0 < good["performance"] <= 1.5


def test_weighted_spreads_by_tier_weight_and_is_deterministic(make_partner, make_rule, make_lead, lead_settings):
    lead_settings.max_open_leads = None
    lead_settings.save()
    program = lead_settings.program
    gold = make_partner("Gold", tier=factories.TierFactory(program=program, rank=2, lead_weight=3), sales=False)
    silver = make_partner("Silver", tier=factories.TierFactory(program=program, rank=1, lead_weight=1), sales=False)
    make_rule(strategy="weighted")
    lead = make_lead()
    first, second = decide(lead), decide(lead)
    assert first.partner_id == second.partner_id == gold.pk
    assert first.explanation == {**second.explanation, "at": first.explanation["at"]}
    top = first.explanation["candidates"][0]
    assert top["partner"] == gold.pk and top["lead_weight"] == 3 and top["performance"] == 1.0
    Lead.objects.bulk_create(
        [Lead(status=LeadStatus.POOL, company=f"C{n}", email=f"c{n}@x.com", country="BR") for n in range(39)]
    )
    services.leads_assign_batch()
    counts = Counter(Lead.objects.filter(status=LeadStatus.OFFERED).values_list("partner_id", flat=True))
    assert counts[gold.pk] == 30 and counts[silver.pk] == 10


def test_weighted_ties_go_to_the_lowest_partner_id(make_partner, make_rule, make_lead):
    a, b = make_partner("A", sales=False), make_partner("B", sales=False)
    make_rule(strategy="weighted")
    assert decide(make_lead()).partner_id == min(a.pk, b.pk)


def test_weighted_prefers_partners_that_accept(make_partner, make_rule, make_lead):
    good, bad = make_partner("Good", sales=False), make_partner("Bad", sales=False)
    make_rule(strategy="weighted")
    now = timezone.now()
    for n in range(6):
        lead = Lead.objects.create(partner=None, status=LeadStatus.POOL, company=f"H{n}", email="h@x.com", country="BR")
        LeadAssignment.objects.create(
            lead=lead,
            partner=bad,
            strategy="manual",
            assigned_at=now - datetime.timedelta(days=3),
            ended_at=now,
            outcome=AssignmentOutcome.DECLINED,
            decline_reason="other",
        )
    decision = decide(make_lead())
    assert decision.partner_id == good.pk
    scores = {c["partner"]: c for c in decision.explanation["candidates"]}
    assert scores[bad.pk]["acceptance"] == 0.2 and scores[good.pk]["acceptance"] == 0.5


# --- Nearest ------------------------------------------------------------------------------------------


def test_haversine():
    # São Paulo to Rio de Janeiro, about 360 km.
    assert 350 < haversine_km(-23.55, -46.63, -22.91, -43.17) < 370


def test_nearest_by_coordinates_then_region_then_country(make_partner, make_rule, make_lead):
    rio, campinas = make_partner("Rio"), make_partner("Campinas")
    region, country, abroad = (
        make_partner("Same state"),
        make_partner("Same country"),
        make_partner("Abroad", country="PT"),
    )
    PartnerLocation.objects.create(partner=rio, latitude=-22.91, longitude=-43.17, region="RJ")
    PartnerLocation.objects.create(partner=campinas, latitude=-22.90, longitude=-47.06)
    PartnerLocation.objects.create(partner=region, region="sp")
    make_rule(strategy="nearest")
    located = make_lead(latitude=-23.55, longitude=-46.63, region="SP")
    decision = decide(located)
    assert decision.partner_id == campinas.pk
    assert [c["partner"] for c in decision.explanation["candidates"]] == [
        campinas.pk,
        rio.pk,
        region.pk,
        country.pk,
        abroad.pk,
    ]
    assert decision.explanation["reason"] == {"code": "nearest", "basis": "distance"}
    unlocated = make_lead(region="SP")
    decision = decide(unlocated)
    assert decision.partner_id == region.pk
    assert decision.explanation["reason"]["basis"] == "same_region"
    assert decide(make_lead(region="MG")).explanation["reason"]["basis"] == "same_country"
    assert decide(make_lead(region="MG"), excluded={rio.pk, campinas.pk, region.pk, country.pk}).partner_id == abroad.pk


def test_nearest_is_deterministic(make_partner, make_rule, make_lead):
    partners = [make_partner(f"P{n}") for n in range(5)]
    make_rule(strategy="nearest")
    lead = make_lead(region="")
    assert {decide(lead).partner_id for _ in range(3)} == {min(p.pk for p in partners)}


def test_explain_is_a_dry_run(make_partner, make_rule, make_lead):
    partner = make_partner()
    make_rule(strategy="round_robin")
    lead = make_lead()
    assert explain(lead).partner_id == partner.pk
    assert explain(lead).partner_id == partner.pk
    assert not LeadAssignment.objects.exists()
    assert RuleCursor.objects.get().last_partner_id is None


@pytest.mark.parametrize("strategy", ["round_robin", "weighted", "nearest"])
def test_one_context_follows_capacity_and_exclusions_as_partners_fill_up(
    make_partner, make_rule, make_lead, lead_settings, strategy
):
    """A batch decides many leads in one context (the engine keeps per-rule lists and heaps between
    decisions): each decision must still be the one a fresh look at the partners gives."""
    lead_settings.max_open_leads = 3
    lead_settings.save()
    program = lead_settings.program
    weights = [1, 3, 2, 3]
    partners = [
        make_partner(f"P{n}", tier=factories.TierFactory(program=program, rank=n + 1, lead_weight=w), sales=False)
        for n, w in enumerate(weights)
    ]
    for n, partner in enumerate(partners):
        PartnerLocation.objects.create(partner=partner, latitude=-23.0 - n, longitude=-46.0 - n)
    make_rule(strategy=strategy)
    lead = make_lead(latitude=-23.0, longitude=-46.0)
    context = RoutingContext.load()
    open_leads = {p.pk: 0 for p in partners}
    weight = {p.pk: w for p, w in zip(partners, weights, strict=True)}
    last = None
    for n in range(14):
        excluded = {partners[n % 4].pk} if n % 3 == 0 else set()
        room = sorted(pk for pk in open_leads if open_leads[pk] < 3 and pk not in excluded)
        decision = context.route(lead, excluded)
        if not room:
            assert decision.partner_id is None
            continue
        if strategy == "round_robin":
            expected = next((pk for pk in room if last is None or pk > last), room[0])
            last = expected
        elif strategy == "weighted":
            expected = min(room, key=lambda pk: (-weight[pk] / (2 * open_leads[pk] + 1), pk))
        else:
            expected = room[0]  # the partners were created nearest first
        assert decision.partner_id == expected, n
        assert decision.explanation["candidates_count"] == len(room)
        assert [c["partner"] for c in decision.explanation["candidates"]][:1] == [expected]
        open_leads[expected] += 1
    assert sum(open_leads.values()) == 12
