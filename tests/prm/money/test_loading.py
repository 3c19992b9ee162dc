"""The ECB reference-rate XML and ``load_exchange_rates``: parsing, idempotence, clear errors."""

import datetime
import http.server
import io
import os
import subprocess
import sys
import threading
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from prm.audit.models import AuditEvent
from prm.money import ecb
from prm.money.ecb import RatesSourceError, parse_ecb_xml
from prm.money.models import ExchangeRate

HERE = Path(__file__).parent
DAILY = HERE / "eurofxref-daily.xml"
HIST = HERE / "eurofxref-hist-90d.xml"
JUNE_28 = datetime.date(2024, 6, 28)

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" '
    'xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref"><Cube>{}</Cube></gesmes:Envelope>'
)


def envelope(cubes: str) -> bytes:
    return ENVELOPE.format(cubes).encode()


def load(*args) -> str:
    out = io.StringIO()
    call_command("load_exchange_rates", *args, stdout=out)
    return out.getvalue()


def rates() -> dict:
    return {(r.currency, r.date): r.rate for r in ExchangeRate.objects.all()}


# --- parsing --------------------------------------------------------------------------------------


def test_the_daily_file():
    lines = parse_ecb_xml(DAILY.read_bytes())
    assert len(lines) == 30
    assert {date for date, _c, _r in lines} == {JUNE_28}
    assert lines[0] == (JUNE_28, "USD", Decimal("1.0705"))
    assert (JUNE_28, "BRL", Decimal("5.8915")) in lines
    assert (JUNE_28, "GBP", Decimal("0.84638")) in lines
    assert (JUNE_28, "IDR", Decimal("17487.21")) in lines


def test_the_multi_day_file():
    lines = parse_ecb_xml(HIST.read_bytes())
    assert len(lines) == 12
    assert sorted({date for date, _c, _r in lines}) == [
        datetime.date(2024, 6, 26),
        datetime.date(2024, 6, 27),
        JUNE_28,
    ]
    assert (datetime.date(2024, 6, 26), "BRL", Decimal("5.8178")) in lines


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "not valid XML"),
        (b"<Cube time='2024-06-28'><Cube currency='USD' rate='1.07'/>", "not valid XML"),
        (b"<html><body>Service unavailable</body></html>", "holds no rates"),
        (envelope(""), "holds no rates"),
        (envelope("<Cube time='2024-06-28'></Cube>"), "holds no rates"),
        (envelope("<Cube time='28/06/2024'><Cube currency='USD' rate='1.07'/></Cube>"), "not a date: 28/06/2024"),
        (envelope("<Cube time='2024-06-28'><Cube currency='USD' rate='n/a'/></Cube>"), "numeric rate on 2024-06-28"),
        (envelope("<Cube time='2024-06-28'><Cube rate='1.07'/></Cube>"), "without a currency"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(content, message):
    with pytest.raises(RatesSourceError, match=message):
        parse_ecb_xml(content)


def test_entity_expansion_is_refused():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>'
        b"<Cube><Cube time='2024-06-28'><Cube currency='USD' rate='&lol2;'/></Cube></Cube>"
    )
    with pytest.raises(RatesSourceError, match="not valid XML"):
        parse_ecb_xml(bomb)
    external = (
        b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<Cube><Cube time='2024-06-28'><Cube currency='USD' rate='&x;'/></Cube></Cube>"
    )
    with pytest.raises(RatesSourceError, match="not valid XML"):
        parse_ecb_xml(external)


# --- the command ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_command_loads_a_file_and_a_second_run_changes_nothing():
    out = load("--file", str(HIST))
    assert "3 day(s), 2024-06-26 to 2024-06-28: 12 added, 0 changed, 0 unchanged" in out
    first = rates()
    assert first[("USD", JUNE_28)] == Decimal("1.0705") and len(first) == 12
    event = AuditEvent.objects.get(action="exchange_rates.loaded")
    assert (
        event.reason == str(HIST)
        and event.data["created"] == 12
        and event.data["currencies"]
        == [
            "BRL",
            "GBP",
            "JPY",
            "USD",
        ]
    )
    stamps = dict(ExchangeRate.objects.values_list("pk", "updated_at"))

    out = load("--file", str(HIST))
    assert "0 added, 0 changed, 12 unchanged" in out
    assert rates() == first
    assert dict(ExchangeRate.objects.values_list("pk", "updated_at")) == stamps  # nothing rewritten
    assert AuditEvent.objects.filter(action="exchange_rates.loaded").count() == 1

    out = load("--file", str(DAILY))  # the 28th again, with 26 more currencies
    assert "1 day(s), 2024-06-28 to 2024-06-28: 26 added, 0 changed, 4 unchanged" in out
    assert ExchangeRate.objects.count() == 38


@pytest.mark.django_db
def test_a_corrected_rate_replaces_the_old_one(tmp_path):
    load("--file", str(HIST))
    corrected = tmp_path / "corrected.xml"
    corrected.write_bytes(envelope("<Cube time='2024-06-28'><Cube currency='USD' rate='1.0712'/></Cube>"))
    assert "0 added, 1 changed, 0 unchanged" in load("--file", str(corrected))
    assert rates()[("USD", JUNE_28)] == Decimal("1.0712") and ExchangeRate.objects.count() == 12


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("cubes", "message"),
    [
        ("<Cube currency='usd1' rate='1.07'/>", "three-letter ISO 4217"),
        ("<Cube currency='EUR' rate='1'/>", "EUR is the base currency"),
        ("<Cube currency='USD' rate='0'/>", "positive number"),
        ("<Cube currency='USD' rate='-1.07'/>", "positive number"),
        ("<Cube currency='USD' rate='1.07'/><Cube currency='USD' rate='1.08'/>", "Two different rates for USD"),
    ],
)
def test_a_wrong_rate_refuses_the_whole_file(tmp_path, cubes, message):
    bad = tmp_path / "bad.xml"
    bad.write_bytes(envelope(f"<Cube time='2024-06-28'><Cube currency='BRL' rate='5.89'/>{cubes}</Cube>"))
    with pytest.raises(CommandError, match=message):
        load("--file", str(bad))
    assert ExchangeRate.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_or_malformed_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="Could not read the exchange-rate file .*no-such.xml"):
        load("--file", str(tmp_path / "no-such.xml"))
    broken = tmp_path / "broken.xml"
    broken.write_text("<gesmes:Envelope>")
    with pytest.raises(CommandError, match="not valid XML"):
        load("--file", str(broken))
    assert ExchangeRate.objects.count() == 0


@pytest.mark.django_db
def test_an_oversized_file_is_refused(monkeypatch):
    monkeypatch.setattr(ecb, "MAX_BYTES", 100)
    with pytest.raises(CommandError, match="larger than"):
        load("--file", str(HIST))


@pytest.fixture
def served():
    """The multi-day fixture served over HTTP on the loopback interface."""
    content = HIST.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path != "/eurofxref-hist-90d.xml":
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.django_db
def test_the_command_downloads_from_the_setting_or_the_given_address(served, settings):
    settings.EXCHANGE_RATES_URL = f"{served}/eurofxref-hist-90d.xml"
    assert "12 added" in load()
    assert AuditEvent.objects.get(action="exchange_rates.loaded").reason == settings.EXCHANGE_RATES_URL
    assert "12 unchanged" in load("--url", f"{served}/eurofxref-hist-90d.xml")
    with pytest.raises(CommandError, match="Could not download the exchange rates from .*/missing.xml: Not Found"):
        load("--url", f"{served}/missing.xml")


@pytest.mark.django_db
def test_unreachable_and_unsupported_addresses_are_command_errors():
    with pytest.raises(CommandError, match="Could not download the exchange rates from http://127.0.0.1:9/"):
        load("--url", "http://127.0.0.1:9/eurofxref-daily.xml")
    with pytest.raises(CommandError, match="must start with https:// or http://"):
        load("--url", "file:///etc/passwd")
    assert ExchangeRate.objects.count() == 0


def test_url_and_file_are_exclusive():
    with pytest.raises(CommandError, match="not allowed with argument"):
        call_command("load_exchange_rates", "--url", "http://127.0.0.1:9/", "--file", str(HIST))


def test_the_default_address_is_the_ecb_daily_file():
    assert django_settings.EXCHANGE_RATES_URL == "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"


@pytest.mark.django_db(transaction=True)
def test_manage_py_prints_the_error_without_a_traceback():
    from django.db import connection

    env = {**os.environ, "DATABASE_URL": _url_of(connection.settings_dict)}
    result = subprocess.run(
        [sys.executable, "manage.py", "load_exchange_rates", "--url", "http://127.0.0.1:9/eurofxref-daily.xml"],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert "CommandError: Could not download the exchange rates from http://127.0.0.1:9/" in result.stderr
    assert "Traceback" not in result.stderr


def _url_of(db: dict) -> str:
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


# --- the daily task -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_daily_task_loads_from_the_setting(served, settings):
    from prm.money.tasks import load_exchange_rates

    settings.EXCHANGE_RATES_URL = f"{served}/eurofxref-hist-90d.xml"
    load_exchange_rates()
    assert ExchangeRate.objects.count() == 12


@pytest.mark.django_db
def test_the_daily_task_logs_a_failure_and_raises_nothing(settings, caplog):
    from prm.money.tasks import load_exchange_rates

    settings.EXCHANGE_RATES_URL = "http://127.0.0.1:9/eurofxref-daily.xml"
    with caplog.at_level("WARNING", logger="prm.money.tasks"):
        load_exchange_rates()
    assert "Exchange rates not loaded: Could not download the exchange rates from http://127.0.0.1:9/" in caplog.text
    assert ExchangeRate.objects.count() == 0


def test_the_daily_task_is_scheduled_after_the_ecb_publishes():
    entry = django_settings.CELERY_BEAT_SCHEDULE["exchange-rates-load"]
    assert entry["task"] == "prm.money.tasks.load_exchange_rates"
    assert entry["schedule"].hour == {16} and entry["schedule"].minute == {30}
