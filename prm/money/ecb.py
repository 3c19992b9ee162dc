"""Reading the European Central Bank's euro foreign exchange reference rates (eurofxref XML).

The daily file (``eurofxref-daily.xml``) and the historic ones (``eurofxref-hist-90d.xml``,
``eurofxref-hist.xml``) share one schema: ``<Cube time="YYYY-MM-DD">`` elements, each holding
``<Cube currency="USD" rate="1.0823"/>`` lines, every rate in units per 1 euro. The XML is parsed
by defusedxml with document type declarations refused, so entity expansion cannot happen.
"""

from __future__ import annotations

import datetime
import urllib.error
import urllib.request
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

MAX_BYTES = 32 * 1024 * 1024  # the full history since 1999 is about 7 MB
TIMEOUT_SECONDS = 20


class RatesSourceError(Exception):
    """The rates could not be read or understood. The message is translated and safe to show."""


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_ecb_xml(content: bytes) -> list[tuple[datetime.date, str, Decimal]]:
    """The (date, currency, rate) lines of an eurofxref file, in document order."""
    try:
        root = fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as error:
        raise RatesSourceError(_("The exchange-rate file is not valid XML: %(error)s") % {"error": error}) from error
    rates = []
    for day in root.iter():
        if _local(day.tag) != "Cube" or "time" not in day.attrib:
            continue
        try:
            date = datetime.date.fromisoformat(day.attrib["time"].strip())
        except ValueError as error:
            raise RatesSourceError(
                _("The exchange-rate file has a day that is not a date: %(value)s") % {"value": day.attrib["time"]}
            ) from error
        for line in day:
            if _local(line.tag) != "Cube":
                continue
            currency, rate = line.attrib.get("currency", ""), line.attrib.get("rate", "")
            try:
                value = Decimal(rate.strip())
            except InvalidOperation:
                value = None
            if not currency or value is None:
                raise RatesSourceError(
                    _("The exchange-rate file has a line without a currency or a numeric rate on %(date)s.")
                    % {"date": date.isoformat()}
                )
            rates.append((date, currency.strip(), value))
    if not rates:
        raise RatesSourceError(_("The exchange-rate file holds no rates (no Cube element with a time and rates)."))
    return rates


def read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as handle:
            content = handle.read(MAX_BYTES + 1)
    except OSError as error:
        raise RatesSourceError(
            _("Could not read the exchange-rate file %(path)s: %(error)s") % {"path": path, "error": error.strerror}
        ) from error
    return _bounded(content)


def fetch_url(url: str, *, timeout: float = TIMEOUT_SECONDS) -> bytes:
    if not url.lower().startswith(("https://", "http://")):
        raise RatesSourceError(
            _("The exchange-rate address must start with https:// or http://: %(url)s") % {"url": url}
        )
    request = urllib.request.Request(url, headers={"User-Agent": "partner-portal exchange rates"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            content = response.read(MAX_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", None) or error
        raise RatesSourceError(
            _("Could not download the exchange rates from %(url)s: %(error)s") % {"url": url, "error": reason}
        ) from error
    return _bounded(content)


def _bounded(content: bytes) -> bytes:
    if len(content) > MAX_BYTES:
        raise RatesSourceError(_("The exchange-rate file is larger than %(size)s MB.") % {"size": MAX_BYTES // 2**20})
    return content


def load(*, url: str | None = None, path: str | None = None, actor=None):
    """Read the file at ``path`` or ``url`` (default: the EXCHANGE_RATES_URL setting) and upsert its rates."""
    from django.conf import settings

    from .services import exchange_rates_load

    if path:
        source, content = path, read_file(path)
    else:
        source = url or settings.EXCHANGE_RATES_URL
        content = fetch_url(source)
    return exchange_rates_load(actor=actor, rates=parse_ecb_xml(content), source=source)
