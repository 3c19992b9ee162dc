"""The dashboards on a scaled database, and their rollup.

    DATABASE_URL=postgres://…/prm_bench .venv/bin/python benchmarks/scale.py 1000000
    DATABASE_URL=postgres://…/prm_bench REDIS_URL=redis://…/3 .venv/bin/python benchmarks/dashboards.py [--requests 40] [--backfill]

With ``--backfill`` it first rebuilds three years of daily figures (``analytics_backfill``) and the
beat task's trailing days, timing both. Then it times the partner dashboard of Solaris (about 2 % of
the registrations, in a tier with peers) as its admin, for each period, through the Django test
client with production settings (``DEBUG`` off): p50/p95 of ``--requests`` requests after a warm-up,
and the queries of one. See benchmarks/README.md.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN = "ana.admin@solaris.example"
MANAGER = "manager@vendor.example"
PERIODS = ("12m", "qtd", "last_quarter")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--backfill", action="store_true")
    parser.add_argument("--warm", action="store_true", help="run the beat task first (the kept figures)")
    parser.add_argument("--activity", action="store_true", help="time the inactivity check and the digests first")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL must name the scaled database (benchmarks/scale.py)")
    os.environ.update(
        DEBUG="false",
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="ERROR",
        DJANGO_SETTINGS_MODULE="prm.settings",
    )
    import django

    django.setup()
    from django.test import Client

    from analytics.services import rollup_recent
    from prm.accounts.models import User

    if args.backfill:
        from django.core.management import call_command

        started = time.monotonic()
        call_command("analytics_backfill", "--days", str(3 * 365))
        print(f"backfill of three years: {time.monotonic() - started:.1f} s")
        run = rollup_recent(trigger="benchmark")
        print(f"the beat task's run (trailing days): {(run.finished_at - run.started_at).total_seconds():.1f} s")
    if args.warm:
        started = time.monotonic()
        run = rollup_recent(trigger="benchmark")
        print(f"the beat task's run (trailing days, then the kept figures): {time.monotonic() - started:.1f} s")
    if args.activity:
        from django.db import transaction

        from analytics.services import activity_check, weekly_digests

        for run in ("first", "next"):
            started = time.monotonic()
            result = activity_check()
            print(f"inactivity check ({run} run): {time.monotonic() - started:.1f} s, {result}")
        started = time.monotonic()
        with transaction.atomic():  # measured, not sent
            digests = weekly_digests()
            transaction.set_rollback(True)
        print(f"weekly digests: {time.monotonic() - started:.1f} s, {digests.sent} notifications")
    pages = [
        (ADMIN, "partner dashboard", "/dashboard/", PERIODS),
        (MANAGER, "program dashboard", "/staff/dashboard/", PERIODS),
        (MANAGER, "portfolio (every partner)", "/staff/dashboard/portfolio/", ("",)),
    ]
    for email, label, path, periods in pages:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        user = User.objects.get(email=email)
        if user.is_staff:  # staff need an authenticator (TOTP) before any page; the benchmark's own
            from allauth.mfa.models import Authenticator
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, generate_totp_secret())
        client.force_login(user)
        _time(client, label, path, args.requests, periods)
    return 0


def _time(client, label, path, requests, periods):
    from django.db import connection

    for period in periods:
        url = f"{path}?period={period}" if period else path
        for _ in range(3):
            assert client.get(url).status_code == 200
        queries = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            client.get(url)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        p95 = times[max(0, int(len(times) * 0.95) - 1)]
        print(f"{label} {period:13} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  {len(queries)} queries")


if __name__ == "__main__":
    sys.exit(main())
