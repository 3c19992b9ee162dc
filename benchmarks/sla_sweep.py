"""The SLA sweep while e-mail is queued: 10,000 due deal decisions swept by the workers of `make run`
while 5,000 deliveries wait on the notifications queue. See benchmarks/README.md."""

import argparse
import datetime
import os
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
os.environ.setdefault("DEBUG", "true")

SWEEP = "prm.sla.tasks.sweep_deadlines"
LONG_AGO = datetime.timedelta(days=30)


class SmtpSink(socketserver.ThreadingTCPServer):
    """A local SMTP server that accepts every message after ``delay`` seconds (a relay's round trips)
    and counts them."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, delay: float):
        self.delay = delay
        self.messages = 0
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _SmtpSession)

    @property
    def port(self) -> int:
        return self.server_address[1]

    def handle_error(self, request, client_address):
        pass  # a worker stopped in the middle of a session


class _SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        while line := self.rfile.readline():
            command = line[:4].upper()
            if command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                while (data := self.rfile.readline()) and data not in (b".\r\n", b".\n"):
                    pass
                time.sleep(self.server.delay)
                with self.server.lock:
                    self.server.messages += 1
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            elif command == b"EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            else:
                self.wfile.write(b"250 ok\r\n")


def worker_database_url() -> str:
    """The URL of the throw-away database, for the worker processes (same server, test name)."""
    from django.conf import settings

    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + quote(settings.DATABASES["default"]["NAME"], safe="")))


def fill(deadlines: int, deliveries: int, kind: str = "deal") -> dict:
    """The demo data, ``deadlines`` submitted deals of the two demo partners whose decision clocks are
    past due (their reminders sent: each fires its breach), and ``deliveries`` pending notifications.
    With ``kind`` "notify" the clocks are of the benchmark kind of benchmarks/_sla_kind.py."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from deals.models import DECISION_KIND, Deal, DealStatus
    from deals.selectors import program_settings
    from deals.services import DECISION_REMINDERS
    from partners.models import Partner
    from partners.recruitment import normalize_company_name
    from prm.accounts.models import User
    from prm.demo import seed_demo
    from prm.notifications.models import Notification
    from prm.sla.calendar import working_seconds_per_day
    from prm.sla.models import Deadline, DeadlineState

    seed_demo()
    partners = list(Partner.objects.filter(memberships__isnull=False).distinct().order_by("pk"))
    program = partners[0].program
    settings = program_settings(program)
    now = timezone.now()
    deals = []
    for index in range(deadlines):
        partner = partners[index % len(partners)]
        company = f"Cliente Benchmark {index} Ltda."
        name = normalize_company_name(company)
        deals.append(
            Deal(
                partner=partner,
                customer_company=company,
                customer_name_normalized=name,
                customer_country=partner.country,
                customer_key=f"{partner.country}:{name}",
                amount=10_000 + index,
                currency="USD",
                expected_close_date=(now + datetime.timedelta(days=90)).date(),
                status=DealStatus.SUBMITTED,
                submitted_at=now - LONG_AGO,
            )
        )
    deals = Deal.objects.bulk_create(deals, batch_size=2000)
    duration = max(1, settings.decision_days) * working_seconds_per_day(program.calendar)
    content_type = ContentType.objects.get_for_model(Deal)
    Deadline.objects.bulk_create(
        [
            Deadline(
                kind=DECISION_KIND if kind == "deal" else "benchmark.notify",
                content_type=content_type,
                object_id=deal.pk,
                partner_id=deal.partner_id,
                calendar=program.calendar,
                duration_seconds=duration,
                started_at=now - LONG_AGO,
                resumed_at=now - LONG_AGO,
                due_at=now - LONG_AGO / 2,
                next_fire_at=now - LONG_AGO / 2,
                reminder_fractions=list(DECISION_REMINDERS),
                reminders_sent=len(DECISION_REMINDERS),
                state=DeadlineState.OPEN,
            )
            for deal in deals
        ],
        batch_size=2000,
    )
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    queued = Notification.objects.bulk_create(
        [
            Notification(
                recipient=users[index % len(users)],
                kind="deal.decision_overdue",
                dedupe_key=f"benchmark:{index}",
                params={"company": f"Earlier customer {index}", "partner": partners[0].name},
                url="/deals/",
            )
            for index in range(deliveries)
        ],
        batch_size=2000,
    )
    recipients = {
        "staff": User.objects.filter(is_active=True, is_staff=True, groups__name="channel_manager").count(),
        "partner users": {p.name: p.memberships.filter(user__is_active=True).count() for p in partners},
        "auto_approve_on_breach": settings.auto_approve_on_breach,
    }
    return {"notification_ids": [n.pk for n in queued], "recipients": recipients}


def due_count() -> int:
    from django.utils import timezone

    from prm.sla.models import Deadline

    return Deadline.objects.due(timezone.now()).count()


def start_workers(
    layout: str, env: dict, logs: Path, sweepers: int | None = None, include: tuple[str, ...] = ()
) -> dict[str, subprocess.Popen]:
    """The workers of `make run` (prm.celery.WORKERS; ``sweepers`` overrides the sweeps worker's
    concurrency), or the former single worker of every task."""
    import dataclasses

    from prm.celery import QUEUES, SWEEPS, WORKERS

    if layout == "queues":
        groups = [
            dataclasses.replace(group, concurrency=sweepers, pool="solo" if sweepers == 1 else "prefork")
            if sweepers and group.queues == (SWEEPS,)
            else group
            for group in WORKERS
        ]
        commands = [group.command() for group in groups]
    else:
        commands = [["worker", "-Q", ",".join(QUEUES), "-n", "single@%h", "--concurrency", "2"]]
    procs = {}
    print("workers:", "; ".join(" ".join(arguments) for arguments in commands))
    for arguments in commands:
        name = arguments[arguments.index("-n") + 1].split("@")[0]
        log = (logs / f"{name}.log").open("w")
        procs[name] = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "prm", *arguments, "-l", "warning", *include],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    return procs


def stop_workers(procs: dict[str, subprocess.Popen]) -> None:
    import signal

    for proc in procs.values():
        if proc.poll() is None:
            # Cold shutdown: the queued deliveries are not waited for (the database is dropped next).
            os.killpg(proc.pid, signal.SIGQUIT)
    for proc in procs.values():
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def wait_ready(client, names: int, seconds: float = 120) -> None:
    limit = time.monotonic() + seconds
    while time.monotonic() < limit:
        if len(client.control.ping(timeout=1.0)) >= names:
            return
    raise SystemExit("the workers did not start; see their logs")


class CpuMeter:
    """CPU time (user + system) used from ``start()`` by each worker with its pool processes, the
    PostgreSQL server processes of the database and Redis; ``sample()`` often, as server processes
    come and go (a process that ended keeps what its last sample saw)."""

    def __init__(self, procs: dict[str, subprocess.Popen], redis_pid: int):
        self.procs, self.redis_pid = procs, redis_pid
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}

    def _read(self) -> dict[tuple[str, int], float]:
        import psutil
        from django.db import connection

        groups = {name: [proc.pid] for name, proc in self.procs.items()}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            groups["postgresql"] = [pid for (pid,) in cursor.fetchall()]
        groups["redis"] = [self.redis_pid]
        used = {}
        for name, pids in groups.items():
            for pid in pids:
                try:
                    process = psutil.Process(pid)
                    members = [process, *process.children(recursive=True)] if name in self.procs else [process]
                    for member in members:
                        times = member.cpu_times()
                        used[(name, member.pid)] = times.user + times.system
                except psutil.Error:
                    continue
        return used

    def start(self) -> None:
        self.first = self.last = self._read()

    def sample(self) -> None:
        self.last = {**self.last, **self._read()}

    def used(self) -> dict[str, float]:
        totals = dict.fromkeys([*self.procs, "postgresql", "redis"], 0.0)
        for (name, pid), seconds in self.last.items():
            totals[name] += seconds - self.first.get((name, pid), 0.0)
        return totals


def queue_lengths(redis_url: str) -> dict:
    import redis

    from prm.celery import QUEUES

    client = redis.Redis.from_url(redis_url)
    try:
        return {queue: client.llen(queue) for queue in QUEUES}
    finally:
        client.close()


def run(args) -> int:
    import django

    django.setup()
    from celery import Celery
    from django.db import connection

    from benchmarks._database import throwaway_database
    from prm.embedded import EmbeddedRedis
    from prm.notifications.models import EmailStatus, Notification

    with throwaway_database(keep=args.keep):
        started = time.monotonic()
        filled = fill(args.deadlines, args.deliveries, args.kind)
        print(
            f"filled in {time.monotonic() - started:.1f} s: {args.deadlines} due {args.kind} deadlines, "
            f"{args.deliveries} pending notifications; recipients per breach {filled['recipients']}"
        )
        connection.close()

        sink = SmtpSink(args.smtp_delay)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        tmp = Path(tempfile.mkdtemp(prefix="sla-sweep-"))
        redis_server = EmbeddedRedis(tmp / "redis")
        redis_url = redis_server.start()
        env = {
            **os.environ,
            "DATABASE_URL": worker_database_url(),
            "REDIS_URL": redis_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "DEBUG": "true",
        }
        client = Celery("sla-sweep-benchmark", broker=redis_url, set_as_current=False)
        client.conf.update(task_default_queue="default", task_routes=__import__("prm.celery").celery.TASK_ROUTES)
        procs = {}
        try:
            include = ("--include", "benchmarks._sla_kind") if args.kind == "notify" else ()
            procs = start_workers(args.layout, env, tmp, args.sweepers, include)
            wait_ready(client, len(procs))
            # The deliveries of an earlier batch of breaches, queued first (in the single layout the
            # sweep lands behind them on the same queue).
            single = {"queue": "notifications"} if args.layout == "single" else {}
            published = time.monotonic()
            for pk in filled["notification_ids"]:
                client.send_task("prm.notifications.tasks.deliver_notification", (pk,), **single)
            print(
                f"queued {args.deliveries} deliveries in {time.monotonic() - published:.1f} s: {queue_lengths(redis_url)}"
            )

            # What beat sends every minute.
            load_before = os.getloadavg()[0]
            meter = CpuMeter(procs, redis_server.proc.pid)
            meter.start()
            t0 = time.monotonic()
            client.send_task(SWEEP, **single)
            last_report, due = t0, due_count()
            while due and time.monotonic() - t0 < args.timeout:
                time.sleep(0.5)
                due = due_count()
                meter.sample()
                if time.monotonic() - last_report >= 5:
                    last_report = time.monotonic()
                    print(
                        f"  {last_report - t0:5.1f} s: {args.deadlines - due} of {args.deadlines} swept, "
                        f"{sink.messages} e-mails sent, queues {queue_lengths(redis_url)}"
                    )
            elapsed = time.monotonic() - t0
            meter.sample()
            cpu = meter.used()
            connection.close()
            print(
                f"{args.layout}: {args.deadlines - due} of {args.deadlines} due deadlines swept in {elapsed:.1f} s "
                f"({(args.deadlines - due) / elapsed:.0f}/s); {sink.messages} e-mails sent meanwhile; "
                f"queues {queue_lengths(redis_url)}; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
            )
            print(
                f"CPU used during the sweep: {', '.join(f'{name} {used:.1f} s' for name, used in cpu.items())}; "
                f"{sum(cpu.values()):.1f} s in all, {sum(cpu.values()) / elapsed:.2f} cores on average "
                f"(at least {sum(cpu.values()) / 2:.0f} s of work for 2 idle cores)"
            )
        finally:
            stop_workers(procs)
            client.close()
            redis_server.stop()
            sink.shutdown()
        problems = check(args.deadlines) if not due else ["not every deadline was swept"]
        notifications = Notification.objects.exclude(dedupe_key__startswith="benchmark:")
        print(
            f"breach notifications written: {notifications.count()} "
            f"({notifications.filter(email_status=EmailStatus.SENT).count()} e-mailed before the workers stopped)"
        )
        connection.close()
    for problem in problems:
        print("PROBLEM:", problem)
    print(f"worker logs in {tmp}")
    return 1 if problems else 0


def check(deadlines: int) -> list[str]:
    """Every deadline breached once, with one audit event; nothing failed."""
    from django.db.models import Count

    from prm.audit.models import AuditEvent
    from prm.sla.models import Deadline, DeadlineState

    problems = []
    breached = Deadline.objects.filter(state=DeadlineState.BREACHED).count()
    if breached != deadlines:
        problems.append(f"{breached} deadlines breached, expected {deadlines}")
    twice = AuditEvent.objects.filter(action="sla.breached").values("object_id").annotate(n=Count("id")).filter(n__gt=1)
    if twice.exists():
        problems.append(f"{twice.count()} deadlines with more than one breach event")
    failed = Deadline.objects.filter(attempts__gt=0).count()
    if failed:
        problems.append(f"{failed} deadlines with a failed handler")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deadlines", type=int, default=10_000)
    parser.add_argument("--deliveries", type=int, default=5_000)
    parser.add_argument("--smtp-delay", type=float, default=0.05, help="seconds the SMTP sink takes per message")
    parser.add_argument(
        "--layout",
        choices=["queues", "single"],
        default="queues",
        help="queues: the workers of `make run`; single: one worker (concurrency 2), the sweep behind the deliveries",
    )
    parser.add_argument(
        "--kind",
        choices=["deal", "notify"],
        default="deal",
        help="deal: deal decision breaches (3 notifications each); notify: a kind with one notify() per breach",
    )
    parser.add_argument("--sweepers", type=int, help="concurrency of the sweeps worker instead of make run's")
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true", help="keep the throw-away database")
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
