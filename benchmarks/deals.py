"""Deal registration at scale: the conflict check, the partner's list page, the API list. See benchmarks/README.md."""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
os.environ.setdefault("DEBUG", "true")

PARTNER_USER = "bruno.sales@solaris.example"  # Solaris has about 2% of the generated rows
STAFF_USER = "manager@vendor.example"  # sees every partner
# The header's search box (prm.search): a word in thousands of names, one customer's brand, nothing.
SEARCHES = ["/search/?q=tecnologia", "/search/?q=rubabu", "/search/?q=zzqx"]
PAGES = {
    PARTNER_USER: [
        "/deals/",
        "/deals/?page=3",
        "/deals/?status=open",
        "/deals/?q=tecnologia",
        "/",
        "/api/v1/deals/?limit=50",
        *SEARCHES,
    ],
    STAFF_USER: ["/admin/deals/deal/", "/api/v1/deals/?limit=50", *SEARCHES],
}

# Customers made only of words that thousands of other names share: the trigram index's worst case.
COMMON_NAMES = [
    ("BR", "Tecnologia e Sistemas Brasil Ltda"),
    ("BR", "Distribuidora Comércio e Serviços"),
    ("BR", "Logística Transportes S.A."),
    ("FR", "Solutions Informatique Conseil SAS"),
    ("FR", "Transports Logistique Services"),
    ("US", "Global Technologies Solutions Inc."),
]
CITIES = {"BR": "Campinas", "FR": "Lyon", "US": "Austin", "MX": "Monterrey", "DE": "Köln", "PT": "Porto"}


def percentiles(values: list[float]) -> str:
    if len(values) < 2:
        return f"p50 {values[0]:7.2f} ms" if values else "no runs"
    p95 = statistics.quantiles(values, n=100, method="inclusive")[94]
    return f"p50 {statistics.median(values):7.2f} ms  p95 {p95:7.2f} ms  max {max(values):7.2f} ms"


def conflict_inputs(count: int, rng: random.Random) -> list[tuple[str, dict]]:
    """Customers as partners type them: near an open or protecting registration, a known customer of
    closed ones, a new company, or a name of common words only."""
    from django.db import connection

    from benchmarks.scale import SCALE_SECTORS, SYLLABLES
    from deals.models import CLOSED_STATUSES, Deal

    fields = ("customer_company", "customer_email", "customer_tax_id", "customer_country")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.2026)")  # the same sample of rows on every run
    live = list(Deal.objects.open_or_protecting().order_by("?").values(*fields)[: count // 2])
    closed = list(Deal.objects.filter(status__in=CLOSED_STATUSES).order_by("?").values(*fields)[: count // 2])
    live = live or closed
    closed = closed or live
    inputs = []
    for index in range(count):
        kind = ("near", "near", "near", "near", "known", "known", "known", "new", "new", "common")[index % 10]
        if kind == "near" and live:
            row = dict(live[index % len(live)])
            variant = rng.randrange(4)
            words = row["customer_company"].split()
            if variant == 0 and len(words) > 2:  # another legal form, or none
                row["customer_company"] = " ".join(words[:-1])
            elif variant == 1:  # a branch
                row["customer_company"] += " " + CITIES.get(row["customer_country"], "Norte")
            elif variant == 2 and len(words[0]) > 3:  # a typo in the first word
                first = words[0]
                cut = rng.randrange(1, len(first) - 2)
                words[0] = first[:cut] + first[cut + 1] + first[cut] + first[cut + 2 :]
                row["customer_company"] = " ".join(words)
            if rng.random() < 0.5:
                row["customer_email"] = ""
            if rng.random() < 0.6:
                row["customer_tax_id"] = ""
        elif kind == "known" and closed:
            row = dict(closed[index % len(closed)])
        elif kind == "common":
            country, name = COMMON_NAMES[index % len(COMMON_NAMES)]
            row = {"customer_company": name, "customer_email": "", "customer_tax_id": "", "customer_country": country}
        else:  # a company nobody registered: four syllables are outside the generated pool
            country = rng.choice(["BR", "BR", "FR", "US", "MX"])
            language = {"BR": "pt", "FR": "fr", "US": "en", "MX": "es"}[country]
            brand = "".join(rng.choice(SYLLABLES) for _ in range(4))
            sector = rng.choice(SCALE_SECTORS[language].split("|"))
            web = {"BR": "com.br", "FR": "fr", "US": "com", "MX": "com.mx"}[country]
            row = {
                "customer_company": f"{brand.capitalize()} {sector}",
                "customer_email": f"compras@{brand}.{web}" if rng.random() < 0.7 else "",
                "customer_tax_id": str(rng.randrange(10**13, 10**14)) if rng.random() < 0.5 else "",
                "customer_country": country,
            }
        inputs.append((kind, row))
    return inputs


def bench_conflicts(runs: int, explain: bool) -> None:
    from decimal import Decimal

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from deals import services
    from deals.models import Deal
    from deals.selectors import deal_conflicts
    from partners.models import Partner
    from prm.accounts.models import User

    actor = User.objects.get(email=PARTNER_USER)
    partner = Partner.objects.select_related("program").get(memberships__user=actor)
    rng = random.Random(2026)
    close_date = datetime.date.today() + datetime.timedelta(days=60)
    warmup = 20
    drafts = []
    for kind, row in conflict_inputs(runs + warmup, rng):
        deal = services.deal_create_draft(
            actor=actor, partner=partner, amount=Decimal("25000.00"), expected_close_date=close_date, **row
        )
        # As deal_submit sees it: locked with partner, program and calendar.
        drafts.append((kind, Deal.objects.select_related("partner__program__calendar").get(pk=deal.pk)))
    for _kind, deal in drafts[:warmup]:
        deal_conflicts(deal)
    times, by_kind, matched, queries = [], defaultdict(list), defaultdict(int), set()
    for kind, deal in drafts[warmup:]:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            matches = deal_conflicts(deal)
            elapsed = (time.perf_counter() - start) * 1000
        times.append(elapsed)
        by_kind[kind].append(elapsed)
        matched[kind] += bool(matches)
        queries.add(len(captured))
    print(f"\nconflict check, deal_conflicts() on a fresh draft, {len(times)} runs: {percentiles(times)}")
    print(f"  queries per check: {sorted(queries)}")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:7} {len(values):4} runs, {matched[kind]:4} with matches: {percentiles(values)}")
    if explain:
        shown = set()
        for kind, deal in drafts[warmup:]:
            if kind in shown:
                continue
            shown.add(kind)
            print(f"\n--- EXPLAIN of the conflict queries, {kind}: {deal.customer_company!r} ({deal.customer_country})")
            with CaptureQueriesContext(connection) as captured:
                deal_conflicts(deal)
            for query in captured.captured_queries:
                if "deals_dealprogramsettings" in query["sql"]:
                    continue
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
                    print("\n" + query["sql"][:400])
                    print("\n".join(line for (line,) in cursor.fetchall()))


def bench_pages(label: str, requests: int, pages: dict[str, list[str]], slow_queries: bool = False) -> None:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from prm.accounts.models import User

    for email, urls in pages.items():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(email=email))
        for page in urls:
            response = client.get(page)
            if response.status_code == 404 and page.startswith("/api/"):
                print(f"{label:6} {email:28} {page:26} 404 (no such endpoint yet)")
                continue
            reset_queries()  # the log is capped; a request start empties it anyway
            with CaptureQueriesContext(connection) as captured:
                client.get(page)
            times = []
            for _ in range(requests):
                start = time.perf_counter()
                response = client.get(page)
                times.append((time.perf_counter() - start) * 1000)
            print(
                f"{label:6} {email:28} {page:26} {response.status_code} {percentiles(times)}  queries {len(captured)}"
            )
            if slow_queries:
                slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:2]
                for query in slowest:
                    print(f"         {float(query['time']) * 1000:7.1f} ms  {query['sql'][:300]}")
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest[0]["sql"])
                    print("\n".join("           " + line for (line,) in cursor.fetchall()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000, help="deal registrations in the table")
    parser.add_argument("--runs", type=int, default=200, help="conflict checks timed")
    parser.add_argument("--requests", type=int, default=30, help="requests timed per page")
    parser.add_argument("--page", action="append", dest="pages", help="a page to time as both users (repeatable)")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the conflict queries"
    )
    parser.add_argument(
        "--slow-queries",
        action="store_true",
        help="print the slowest queries of each page, with EXPLAIN ANALYZE of the slowest",
    )
    parser.add_argument(
        "--similarity-threshold",
        type=float,
        help="SET pg_trgm.similarity_threshold for the run (to try the threshold of the % operator)",
    )
    parser.add_argument("--skip-conflicts", action="store_true", help="time the pages only")
    parser.add_argument(
        "--use-database",
        action="store_true",
        help="run in the DATABASE_URL database (grown with benchmarks/scale.py if smaller; the drafts the "
        "benchmark creates are rolled back) instead of a throw-away test database",
    )
    args = parser.parse_args()
    pages = {email: args.pages for email in PAGES} if args.pages else PAGES

    import django

    django.setup()
    from django.db import connection, transaction

    from benchmarks._database import throwaway_database
    from benchmarks.scale import seed_demo_scale
    from deals.models import Deal
    from prm.demo import seed_demo

    with throwaway_database(use_existing=args.use_database):
        seed_demo()
        if Deal.objects.count() < 100:
            print(f"demo data: {Deal.objects.count()} deal registrations")
            bench_pages("demo", 10, pages)
        start = time.monotonic()
        added = seed_demo_scale(args.rows, log=lambda line: print("  " + line))
        if added:
            print(f"seeded {added} rows in {time.monotonic() - start:.0f} s")
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            print(f"deal registrations: {Deal.objects.count()}; PostgreSQL jit={cursor.fetchone()[0]}")
        with transaction.atomic():
            if args.similarity_threshold is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT set_config('pg_trgm.similarity_threshold', %s, false)", [str(args.similarity_threshold)]
                    )
                print(f"pg_trgm.similarity_threshold = {args.similarity_threshold}")
            if not args.skip_conflicts:
                bench_conflicts(args.runs, args.explain)
                print()
            bench_pages("scale", args.requests, pages, args.slow_queries)
            transaction.set_rollback(True)


if __name__ == "__main__":
    main()
