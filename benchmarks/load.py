"""Throughput of the partner pages on a real server: gunicorn (4 workers, DEBUG off) and wrk on the loopback.

    apt-get install -y wrk
    DATABASE_URL=postgres://…/prm_bench .venv/bin/python benchmarks/scale.py 1000000
    DATABASE_URL=postgres://…/prm_bench REDIS_URL=redis://…/3 .venv/bin/python benchmarks/load.py [--duration 15] [--connections 4]

Starts gunicorn on the configured database with production settings (DEBUG off, the manifest static
storage after ``collectstatic``; plain HTTP allowed on the loopback), signs a partner sales user in
(a session made as the login view makes it), then runs wrk on a 404 page (the framework floor:
middleware, session, user) and on each main partner page, one after the other, with the session
cookie. Prints requests per second, p50 and p95 latency and each page's share of the floor's
throughput, and exits with status 1 when a page answered anything else than its expected status.
See benchmarks/README.md.
"""

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PARTNER_USER = "bruno.sales@solaris.example"  # Solaris: about 2% of the generated registrations

# wrk's report: requests, duration, latency percentiles and every status code seen, as one JSON line.
REPORT_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, count)) end
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    'WRK-REPORT {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "errors": %d, "statuses": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    errors, table.concat(parts, ", ")))
end
"""


def server_environment(port: int) -> dict[str, str]:
    """Production settings, with plain HTTP on the loopback: no HTTPS redirect, cookies not marked Secure
    would not matter either (wrk sends the cookie header as given)."""
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SECRET_KEY=env.get("SECRET_KEY") or secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="prm.settings",
    )
    return env


def partner_session() -> tuple[str, dict[str, str]]:
    """A signed-in session of the partner sales user (made as ``login()`` makes it) and the URLs of the
    pages that need a record: one of the partner's deals."""
    import django

    django.setup()
    from django.test import Client

    from deals.models import Deal
    from prm.accounts.models import User

    user = User.objects.get(email=PARTNER_USER)
    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"].value
    deal = Deal.objects.filter(partner__memberships__user=user).exclude(status="draft").order_by("-created_at").first()
    return cookie, {"deal": f"/deals/{deal.pk}/"}


def pages(records: dict[str, str]) -> list[tuple[str, str, int]]:
    """(label, path, expected status): the floor first."""
    return [
        ("404 (floor)", "/no-such-page/", 404),
        ("home", "/", 200),
        ("deals list", "/deals/", 200),
        ("deals search", "/deals/?q=tecnologia", 200),
        ("deal detail", records["deal"], 200),
        ("leads", "/leads/", 200),
        ("search", "/search/?q=tecnologia", 200),
        ("notifications", "/notifications/", 200),
    ]


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_processes(master: int) -> list[int]:
    """The gunicorn workers and the PostgreSQL backends of the benchmark's database (the workers keep
    their connections: ``DB_CONN_MAX_AGE``)."""
    from django.db import connection

    try:
        with open(f"/proc/{master}/task/{master}/children") as children:
            workers = [int(pid) for pid in children.read().split()]
    except OSError:
        workers = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        backends = [pid for (pid,) in cursor.fetchall()]
    return workers + backends


def cpu_snapshot(master: int) -> dict[int, float]:
    return {pid: _cpu_seconds(pid) for pid in server_processes(master)}


def cpu_used(before: dict[int, float], master: int) -> float:
    """Seconds of CPU the server (workers and database backends) used since ``before``."""
    after = cpu_snapshot(master)
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout:.0f} s")


def run_wrk(url: str, cookie: str, *, duration: int, connections: int, threads: int, script: str) -> dict:
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-H",
        f"Cookie: sessionid={cookie}",
        "-H",
        "Accept-Language: en",
        "-s",
        script,
        url,
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("WRK-REPORT "))
    report = json.loads(line.removeprefix("WRK-REPORT "))
    report["rps"] = report["requests"] / (report["duration_us"] / 1e6)
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds of load per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of load per page before the measure")
    parser.add_argument(
        "--connections",
        type=int,
        default=4,
        help="one a worker (the first measure, 208 req/s at a 17 ms median, had about 3.5 requests in flight)",
    )
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--only", nargs="*", default=[], help="labels of the pages to measure (the floor always)")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL must name the scaled database (benchmarks/scale.py)")

    env = server_environment(args.port)
    os.environ.update({key: env[key] for key in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    cookie, records = partner_session()

    server_log = open(Path(tempfile.gettempdir()) / "prm-load-gunicorn.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--access-logfile",
            "/dev/null",
            "prm.wsgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=server_log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{args.port}"
    results = []
    failed = False
    try:
        wait_for(base + "/no-such-page/")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(REPORT_LUA)
        with open("/proc/loadavg") as loadavg:
            print(f"load average before: {loadavg.read().split()[:3]}", flush=True)
        for label, path, expected in pages(records):
            if args.only and label not in args.only and expected != 404:
                continue
            common = dict(connections=args.connections, threads=args.threads, script=script.name)
            if args.warmup:
                run_wrk(base + path, cookie, duration=args.warmup, **common)
            before = cpu_snapshot(server.pid)
            report = run_wrk(base + path, cookie, duration=args.duration, **common)
            report["cpu_ms"] = 1000 * cpu_used(before, server.pid) / max(report["requests"], 1)
            unexpected = {status: count for status, count in report["statuses"].items() if int(status) != expected}
            if unexpected or report["errors"] or not report["requests"]:
                failed = True
                print(f"{label}: unexpected answers {unexpected}, {report['errors']} socket errors", flush=True)
            results.append((label, path, report))
            print(
                f"{label:14} {report['rps']:7.1f} req/s  p50 {report['p50_us'] / 1000:6.1f} ms  "
                f"p95 {report['p95_us'] / 1000:6.1f} ms  server CPU {report['cpu_ms']:6.1f} ms a request",
                flush=True,
            )
        os.unlink(script.name)
        with open("/proc/loadavg") as loadavg:
            print(f"load average after: {loadavg.read().split()[:3]}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        server_log.close()

    floor, floor_cpu = results[0][2]["rps"], results[0][2]["cpu_ms"]
    print(
        f"\n{args.workers} gunicorn workers, wrk {args.threads} threads, {args.connections} connections, {args.duration} s a page\n"
    )
    print("| page | path | req/s | p50 ms | p95 ms | share of the floor | server CPU ms a request | share by CPU |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, path, report in results:
        print(
            f"| {label} | `{path}` | {report['rps']:.0f} | {report['p50_us'] / 1000:.1f} | "
            f"{report['p95_us'] / 1000:.1f} | {report['rps'] / floor:.0%} | {report['cpu_ms']:.1f} | "
            f"{floor_cpu / report['cpu_ms']:.0%} |"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
