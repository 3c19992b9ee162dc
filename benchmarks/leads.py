"""Lead routing at scale: the vendor pool placed by the rules in batches. See benchmarks/README.md."""

import argparse
import cProfile
import os
import pstats
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
os.environ.setdefault("DEBUG", "true")

# (country, weight of partners, weight of leads, regions or states, (latitude, longitude) of a centre)
COUNTRIES = [
    ("BR", 30, 30, ["SP", "RJ", "MG", "PR", "RS", "BA"], (-23.5, -46.6), "latam"),
    ("US", 25, 25, ["CA", "TX", "NY", "FL", "IL", "WA"], (39.8, -98.6), "north_america"),
    ("FR", 12, 12, ["Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"], (46.6, 2.4), "europe"),
    ("MX", 8, 8, ["CDMX", "Jalisco", "Nuevo León"], (19.4, -99.1), "latam"),
    ("DE", 7, 7, ["Bayern", "Berlin", "Hessen"], (51.2, 10.4), "europe"),
    ("PT", 5, 4, ["Lisboa", "Porto"], (39.6, -8.0), "europe"),
    ("AR", 4, 4, ["Buenos Aires", "Córdoba"], (-34.6, -58.4), "latam"),
    ("CA", 4, 4, ["ON", "QC", "BC"], (56.1, -106.3), "north_america"),
    ("ES", 3, 4, ["Madrid", "Cataluña"], (40.4, -3.7), "europe"),
    ("ZA", 2, 2, ["Gauteng", "Western Cape"], (-29.0, 24.0), "mea"),
]
TIERS = [("Registered", 1, 1), ("Silver", 2, 2), ("Gold", 3, 4), ("Platinum", 4, 6)]  # name, rank, lead weight
SPECIALTIES = ["Cloud", "Security", "Data", "ERP", "Networking", "Services"]
PRODUCTS = ["Core Platform", "Analytics", "Security Suite", "Mobile", "Integrations", "Support Plus"]
INDUSTRIES = ["manufacturing", "retail", "finance", "healthcare", "public", "education", "technology", "energy"]
SIZES = ["1-9", "10-49", "50-249", "250-999", "1000+"]


def rules_spec(products: dict[str, int], specialties: dict[str, int]) -> list[dict]:
    """20 rules in order: narrow ones first (some match leads but admit nobody, some admit few), a
    catch-all at the end; the three strategies, lead criteria and partner filters mixed."""
    p, s = products, specialties
    return [
        dict(
            name="BR enterprise A, platinum nearest",
            strategy="nearest",
            countries=["BR"],
            ratings=["A"],
            company_sizes=["1000+"],
            min_tier_rank=4,
        ),
        dict(
            name="BR finance, security specialists",
            strategy="weighted",
            countries=["BR"],
            industries=["finance"],
            specialties=[s["Security"]],
            partner_countries=["BR"],
        ),
        dict(
            name="SP and RJ nearest",
            strategy="nearest",
            countries=["BR"],
            regions=["SP", "RJ"],
            partner_countries=["BR"],
        ),
        dict(name="BR round-robin", strategy="round_robin", countries=["BR"], partner_countries=["BR"]),
        dict(
            name="US public sector, gold",
            strategy="weighted",
            countries=["US"],
            industries=["public", "education"],
            min_tier_rank=3,
        ),
        dict(
            name="US analytics",
            strategy="round_robin",
            countries=["US"],
            products=[p["Analytics"]],
            specialties=[s["Data"], s["Cloud"]],
        ),
        dict(
            name="US west nearest",
            strategy="nearest",
            countries=["US"],
            regions=["CA", "WA"],
            partner_regions=["north_america"],
        ),
        dict(name="US weighted", strategy="weighted", countries=["US", "CA"], partner_countries=["US", "CA"]),
        dict(
            name="FR security",
            strategy="round_robin",
            countries=["FR"],
            products=[p["Security Suite"]],
            partner_countries=["FR"],
            specialties=[s["Security"]],
        ),
        dict(name="FR nearest", strategy="nearest", countries=["FR"], partner_regions=["europe"]),
        dict(
            name="DE enterprise",
            strategy="weighted",
            countries=["DE"],
            company_sizes=["250-999", "1000+"],
            partner_countries=["DE", "FR"],
        ),
        dict(name="Iberia", strategy="round_robin", countries=["ES", "PT"], partner_countries=["ES", "PT"]),
        dict(
            name="Europe ERP",
            strategy="weighted",
            countries=["DE", "FR", "ES", "PT"],
            products=[p["Integrations"]],
            specialties=[s["ERP"]],
            partner_regions=["europe"],
        ),
        dict(name="Europe nearest", strategy="nearest", countries=["DE", "ES", "PT"], partner_regions=["europe"]),
        dict(
            name="MX retail",
            strategy="round_robin",
            countries=["MX"],
            industries=["retail", "manufacturing"],
            partner_countries=["MX"],
        ),
        dict(name="LatAm weighted", strategy="weighted", countries=["MX", "AR"], partner_regions=["latam"]),
        dict(
            name="Africa (no partner serves mea with this tier)",
            strategy="round_robin",
            countries=["ZA"],
            partner_regions=["mea"],
            min_tier_rank=5,
        ),
        dict(name="C leads, round-robin", strategy="round_robin", ratings=["C"], min_tier_rank=1),
        dict(name="Mobile, weighted", strategy="weighted", products=[p["Mobile"]], specialties=[s["Cloud"]]),
        dict(name="Everything else", strategy="round_robin"),
    ]


def seed(partner_count: int, lead_count: int, capacity: int | None, seed_value: int) -> dict:
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from catalogue.models import Product
    from leads.models import AssignmentRule, Lead, LeadProgramSettings, LeadStatus, PartnerLocation
    from partners.models import Membership, Partner, PartnerRole, Specialty, Tier
    from partners.models.onboarding import AgreementAcceptance, AgreementVersion, OnboardingProgress, OnboardingStep
    from prm.accounts.models import User
    from tests import factories

    rng = random.Random(seed_value)
    with transaction.atomic():
        program = factories.ProgramFactory(name="Lead benchmark program", slug="lead-bench")
        LeadProgramSettings.objects.update_or_create(program=program, defaults={"max_open_leads": capacity})
        tiers = [
            Tier.objects.create(program=program, name=name, rank=rank, lead_weight=weight)
            for name, rank, weight in TIERS
        ]
        specialties = {name: Specialty.objects.create(name_en=name).pk for name in SPECIALTIES}
        products = {name: Product.objects.create(name_en=name).pk for name in PRODUCTS}
        steps = [OnboardingStepFactory_create(OnboardingStep, program, order) for order in (1, 2)]
        agreement = AgreementVersion.objects.create(
            program=program, version=1, text_en="Agreement.", published_at=timezone.now()
        )
        country_weights = [c[1] for c in COUNTRIES]
        partners = []
        for index in range(partner_count):
            country, _w, _lw, states, _centre, region = rng.choices(COUNTRIES, weights=country_weights)[0]
            served = {region} | ({rng.choice(["latam", "north_america", "europe"])} if rng.random() < 0.2 else set())
            partners.append(
                Partner(
                    program=program,
                    name=f"Bench Partner {index:04d}",
                    country=country,
                    tier=rng.choices(tiers, weights=[40, 30, 20, 10])[0],
                    regions=sorted(served),
                )
            )
        partners = Partner.objects.bulk_create(partners)
        by_country = {c[0]: c for c in COUNTRIES}
        links, locations, users = [], [], []
        password = make_password(None)
        for partner in partners:
            for name in rng.sample(SPECIALTIES, rng.randint(0, 3)):
                links.append(Partner.specialties.through(partner_id=partner.pk, specialty_id=specialties[name]))
            _c, _w, _lw, states, (lat, lon), _r = by_country[partner.country]
            roll = rng.random()
            if roll < 0.7:  # coordinates and a state
                locations.append(
                    PartnerLocation(
                        partner=partner,
                        latitude=lat + rng.uniform(-4, 4),
                        longitude=lon + rng.uniform(-4, 4),
                        region=rng.choice(states),
                    )
                )
            elif roll < 0.85:  # a state only
                locations.append(PartnerLocation(partner=partner, region=rng.choice(states)))
            users.append(User(email=f"sales{partner.pk}@bench.example", password=password))
        Partner.specialties.through.objects.bulk_create(links)
        PartnerLocation.objects.bulk_create(locations)
        users = User.objects.bulk_create(users)
        Membership.objects.bulk_create(
            Membership(user=user, partner=partner, role=PartnerRole.SALES)
            for user, partner in zip(users, partners, strict=True)
        )
        OnboardingProgress.objects.bulk_create(
            OnboardingProgress(partner=partner, step=step) for partner in partners for step in steps
        )
        AgreementAcceptance.objects.bulk_create(
            AgreementAcceptance(partner=partner, version=agreement, user=user)
            for user, partner in zip(users, partners, strict=True)
        )
        for order, spec in enumerate(rules_spec(products, specialties), start=1):
            spec = dict(spec)
            rule_products, rule_specialties = spec.pop("products", []), spec.pop("specialties", [])
            rule = AssignmentRule.objects.create(order=order * 10, **spec)
            rule.products.set(rule_products)
            rule.specialties.set(rule_specialties)

    lead_weights = [c[2] for c in COUNTRIES]
    product_ids = [None, *products.values()]
    chunk = []
    for index in range(lead_count):
        country, _w, _lw, states, (lat, lon), _r = rng.choices(COUNTRIES, weights=lead_weights)[0]
        located = rng.random() < 0.4
        chunk.append(
            Lead(
                status=LeadStatus.POOL,
                contact_name=f"Contact {index}",
                email=f"contact{index}@customer{index % 9973}.example",
                company=f"Customer {index % 9973}",
                country=country,
                region=rng.choice(states) if rng.random() < 0.8 else "",
                industry=rng.choice(INDUSTRIES) if rng.random() < 0.9 else "",
                company_size=rng.choice(SIZES) if rng.random() < 0.85 else "",
                rating=rng.choices("ABC", weights=[25, 50, 25])[0],
                product_id=rng.choices(product_ids, weights=[30, 20, 15, 10, 10, 10, 5])[0],
                latitude=lat + rng.uniform(-5, 5) if located else None,
                longitude=lon + rng.uniform(-5, 5) if located else None,
                source="benchmark",
            )
        )
        if len(chunk) == 10_000:
            Lead.objects.bulk_create(chunk)
            chunk = []
    if chunk:
        Lead.objects.bulk_create(chunk)
    return {"program": program}


def OnboardingStepFactory_create(model, program, order):  # noqa: N802
    return model.objects.create(program=program, order=order, kind="manual", title_en=f"Step {order}")


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def run(batch_size: int, profile: str | None) -> dict:
    from django.db import connection

    from leads import services
    from leads.engine import RoutingContext
    from leads.services import routing

    counter = QueryCounter()
    engine_seconds = [0.0]
    route = RoutingContext.route

    def timed_route(self, lead, excluded=frozenset()):
        start = time.perf_counter()
        try:
            return route(self, lead, excluded)
        finally:
            engine_seconds[0] += time.perf_counter() - start

    batches = []
    original = routing.leads_assign_batch

    def timed_batch(**kwargs):
        before, start = counter.count, time.perf_counter()
        result = original(**kwargs)
        batches.append((time.perf_counter() - start, counter.count - before, result.assigned, result.unmatched))
        return result

    routing.leads_assign_batch = timed_batch  # leads_assign_pool calls it there
    RoutingContext.route = timed_route
    profiler = cProfile.Profile() if profile else None
    try:
        with connection.execute_wrapper(counter):
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            total = services.leads_assign_pool(batch_size=batch_size, max_batches=10_000)
            if profiler:
                profiler.disable()
            elapsed = time.perf_counter() - start
    finally:
        routing.leads_assign_batch = original
        RoutingContext.route = route
    if profiler:
        profiler.dump_stats(profile)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(35)
        stats.sort_stats("tottime").print_stats(25)
    return {
        "elapsed": elapsed,
        "total": total,
        "batches": batches,
        "queries": counter.count,
        "engine": engine_seconds[0],
    }


def engine_only(compare: str | None, profile: str | None = None) -> None:
    """The engine alone: every pool lead decided in memory (nothing written). With ``compare``, the
    same decisions by another version of leads/engine.py (a file path), which must be identical."""
    import importlib.util

    from django.db import transaction
    from django.utils import timezone

    from leads import engine
    from leads.models import Lead, LeadStatus

    leads = list(Lead.objects.filter(status=LeadStatus.POOL).order_by("created_at", "pk"))
    modules = [("leads/engine.py", engine)]
    if compare:
        spec = importlib.util.spec_from_file_location("leads._engine_compared", compare)
        other = sys.modules[spec.name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(other)
        modules.append((compare, other))
    decisions = []
    now = timezone.now()
    for name, module in modules:
        with transaction.atomic():
            context = module.RoutingContext.load(now=now, lock_cursors=False)
            profiler = cProfile.Profile() if profile and module is engine else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            made = [context.route(lead, ()) for lead in leads]
            if profiler:
                profiler.disable()
                profiler.dump_stats(profile)
                pstats.Stats(profiler).sort_stats("tottime").print_stats(15)
            elapsed = time.perf_counter() - start
            transaction.set_rollback(True)
        placed = sum(d.partner_id is not None for d in made)
        full = sum(c.capacity is not None and c.open_leads >= c.capacity for c in context.candidates.values())
        print(
            f"engine only ({name}): {len(leads)} decisions ({placed} placed, {full} partners filled up)"
            f" in {elapsed:.2f} s = {len(leads) / elapsed:,.0f} leads/s"
        )
        decisions.append([(d.partner_id, d.rule_id, d.strategy, d.explanation) for d in made])
    if compare:
        same = sum(a == b for a, b in zip(decisions[0], decisions[1], strict=True))
        print(f"identical decisions and explanations: {same} of {len(leads)}")


def verify(capacity: int | None) -> list[str]:
    """Problems found (empty: all good)."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Count, Q

    from leads.engine import EXPLANATION_CANDIDATES, RoutingContext
    from leads.models import ACCEPTANCE_KIND, HELD_STATUSES, AssignmentStrategy, Lead, LeadAssignment, LeadStatus
    from prm.sla.models import Deadline

    problems = []
    per_lead = Counter(LeadAssignment.objects.values_list("lead_id", flat=True))
    if any(n > 1 for n in per_lead.values()):
        problems.append(f"{sum(n > 1 for n in per_lead.values())} leads offered more than once")
    open_by_lead = dict(LeadAssignment.objects.filter(ended_at__isnull=True).values_list("lead_id", "partner_id"))
    offered = dict(Lead.objects.filter(status=LeadStatus.OFFERED).values_list("pk", "partner_id"))
    if open_by_lead != offered:
        problems.append(f"open assignments ({len(open_by_lead)}) differ from offered leads ({len(offered)})")
    clocks = Counter(
        Deadline.objects.filter(
            kind=ACCEPTANCE_KIND, content_type=ContentType.objects.get_for_model(Lead), state__in=["open"]
        ).values_list("object_id", flat=True)
    )
    if set(clocks) != set(offered) or any(n != 1 for n in clocks.values()):
        problems.append(f"acceptance clocks: {len(clocks)} for {len(offered)} offered leads")
    if Lead.objects.filter(Q(status=LeadStatus.POOL), ~Q(partner=None)).exists():
        problems.append("pool leads with a partner")
    held = Counter(
        dict(
            Lead.objects.filter(status__in=HELD_STATUSES)
            .values("partner_id")
            .annotate(n=Count("pk"))
            .values_list("partner_id", "n")
        )
    )
    if capacity is not None and any(n > capacity for n in held.values()):
        problems.append(f"capacity exceeded by {sum(n > capacity for n in held.values())} partners")
    bad_explanations = 0
    for partner_id, explanation in LeadAssignment.objects.values_list("partner_id", "explanation").iterator(10_000):
        ranked = explanation.get("candidates", [])
        if explanation.get("winner") != partner_id or not 1 <= len(ranked) <= EXPLANATION_CANDIDATES:
            bad_explanations += 1
        elif ranked[0]["partner"] != partner_id:
            bad_explanations += 1
    if bad_explanations:
        problems.append(f"{bad_explanations} explanations without the winner first or with too many candidates")
    # Round-robin fairness: within each rule's pool, the partners that never reached capacity (none
    # is excluded in this run and capacity only fills) received the same number of its leads, ±1.
    context = RoutingContext.load(lock_cursors=False)
    by_rule = defaultdict(Counter)
    for rule_id, partner_id in LeadAssignment.objects.filter(strategy=AssignmentStrategy.ROUND_ROBIN).values_list(
        "rule_id", "partner_id"
    ):
        by_rule[rule_id][partner_id] += 1
    for rule in context.rules:
        if rule.strategy != AssignmentStrategy.ROUND_ROBIN or not by_rule[rule.id]:
            continue
        if set(by_rule[rule.id]) - {c.id for c in rule.pool}:
            problems.append(f"rule {rule.name!r} gave leads outside its pool")
        open_pool = [c.id for c in rule.pool if capacity is None or held[c.id] < capacity]
        counts = [by_rule[rule.id][pk] for pk in open_pool]
        if counts and max(counts) - min(counts) > 1:
            problems.append(f"rule {rule.name!r}: round-robin counts from {min(counts)} to {max(counts)}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leads", type=int, default=100_000, help="pool leads to place")
    parser.add_argument("--partners", type=int, default=200, help="eligible partners")
    parser.add_argument("--batch-size", type=int, default=20000, help="leads per batch (leads_assign_pool)")
    parser.add_argument(
        "--capacity", type=int, default=1000, help="max open leads per partner (0: no limit); default 1000"
    )
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the generated data")
    parser.add_argument(
        "--profile", metavar="FILE", help="profile the assignment run with cProfile: print the top and save it to FILE"
    )
    parser.add_argument(
        "--engine-only", action="store_true", help="time the engine's decisions alone, in memory (nothing written)"
    )
    parser.add_argument(
        "--compare-engine", metavar="FILE", help="with --engine-only: also run this copy of leads/engine.py and compare"
    )
    parser.add_argument("--keep", action="store_true", help="keep the test database (test_<name>) afterwards")
    args = parser.parse_args()
    capacity = args.capacity or None

    import django
    from django.conf import settings

    django.setup()
    from django.db import connection

    from benchmarks._database import throwaway_database

    with throwaway_database(keep=args.keep):
        print(f"DEBUG={settings.DEBUG} (queries counted by an execute wrapper, never stored)")
        start = time.monotonic()
        seed(args.partners, args.leads, capacity, args.seed)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"seeded {args.partners} partners, 20 rules, {args.leads} pool leads in {time.monotonic() - start:.1f} s;"
            f" capacity {capacity or 'unlimited'}; load average {os.getloadavg()[0]:.2f}"
        )
        if args.engine_only:
            engine_only(args.compare_engine, args.profile)
            return
        figures = run(args.batch_size, args.profile)
        total, batches, elapsed = figures["total"], figures["batches"], figures["elapsed"]
        placed = total.assigned + total.unmatched
        print(
            f"leads_assign_pool: {total.assigned} assigned, {total.unmatched} unmatched in {elapsed:.2f} s"
            f" = {placed / elapsed:,.0f} leads/s ({total.assigned / elapsed:,.0f} assigned/s);"
            f" {len(batches)} batches, {figures['queries']} queries"
        )
        print(
            f"engine decisions (RoutingContext.route): {figures['engine']:.2f} s"
            f" = {placed / max(figures['engine'], 1e-9):,.0f} leads/s; the rest (reads, writes, clocks,"
            f" notifications, commits): {elapsed - figures['engine']:.2f} s"
        )
        working = [b for b in batches if b[2] or b[3]]
        if working:
            seconds = sorted(b[0] for b in working)
            queries = sorted(b[1] for b in working)
            print(
                f"per batch of {args.batch_size}: {seconds[len(seconds) // 2]:.2f} s median,"
                f" {seconds[0]:.2f}–{seconds[-1]:.2f} s; queries {queries[0]}–{queries[-1]}"
            )
        print(f"load average after the run {os.getloadavg()[0]:.2f}")
        problems = verify(capacity)
        print(
            "verified: one open assignment and one acceptance clock per offered lead, capacities, explanations,"
            " round-robin fairness"
            if not problems
            else "PROBLEMS:\n  " + "\n  ".join(problems)
        )
        if problems:
            sys.exit(1)


if __name__ == "__main__":
    main()
