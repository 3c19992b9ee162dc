"""The upload check: a file is read by its content before anything is stored (size, UTF-8 text,
delimiter) and its header row is matched to the lead fields (``HEADER_ALIASES``)."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from prm.errors import ServiceError

from ._common import NOT_CSV, NOT_TEXT, _is_blank, _text_lines

MAX_BYTES = settings.LEAD_IMPORT_MAX_BYTES

# Header names (compared lower-case, with spaces, dashes and slashes as underscores) → lead field.
HEADER_ALIASES = {
    "contact_name": "contact_name",
    "contact": "contact_name",
    "name": "contact_name",
    "email": "email",
    "e_mail": "email",
    "phone": "phone",
    "company": "company",
    "company_size": "company_size",
    "industry": "industry",
    "country": "country",
    "region": "region",
    "state": "region",
    "region_state": "region",
    "region_or_state": "region",
    "city": "city",
    "latitude": "latitude",
    "lat": "latitude",
    "longitude": "longitude",
    "lon": "longitude",
    "lng": "longitude",
    "product": "product",
    "product_interest": "product",
    "rating": "rating",
    "source": "source",
    "notes": "notes",
}
# The documented header (the first name of each field above), in the order of the upload page.
COLUMNS = (
    "contact_name",
    "email",
    "phone",
    "company",
    "company_size",
    "industry",
    "country",
    "region",
    "city",
    "latitude",
    "longitude",
    "product_interest",
    "rating",
    "source",
    "notes",
)
REQUIRED = ("contact_name", "email", "company", "country")


def _normalise(name: str) -> str:
    name = name.strip().lower()
    for char in " -/.":
        name = name.replace(char, "_")
    return "_".join(part for part in name.split("_") if part)


@dataclass
class Header:
    fields: list[str]  # lead field of each column, in file order
    labels: dict[str, str] = field(default_factory=dict)  # lead field → the column's name in the file

    def label(self, name: str | None) -> str:
        if not name:
            return ""
        return self.labels.get(name, "product_interest" if name == "product" else name)


def parse_header(cells) -> Header:
    if not cells or not any(cell.strip() for cell in cells):
        raise ServiceError(_("The file has no header row."), field="file")
    fields, labels, unknown = [], {}, []
    for cell in cells:
        name = HEADER_ALIASES.get(_normalise(cell))
        if name is None:
            unknown.append(cell.strip() or "—")
            continue
        if name in labels:
            raise ServiceError(_("The column %(column)s appears twice.") % {"column": cell.strip()}, field="file")
        fields.append(name)
        labels[name] = cell.strip()
    if unknown:
        raise ServiceError(
            _("These columns are not known: %(columns)s. The import page lists the accepted column names.")
            % {"columns": ", ".join(unknown[:10])},
            field="file",
        )
    missing = [name for name in REQUIRED if name not in labels]
    if missing:
        raise ServiceError(
            _("The header row lacks these columns: %(columns)s.") % {"columns": ", ".join(missing)}, field="file"
        )
    return Header(fields=fields, labels=labels)


def _sniff_delimiter(head: bytes) -> str:
    first = head.split(b"\n", 1)[0]
    counts = {delimiter: first.count(delimiter.encode()) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


@dataclass
class Inspection:
    header: Header
    delimiter: str
    rows: int


def inspect_upload(upload) -> Inspection:
    """Check an uploaded file by its content (one streamed pass) and count its data rows."""
    if upload is None:
        raise ServiceError(_("Choose a CSV file."), field="file")
    if upload.size > MAX_BYTES:
        raise ServiceError(
            _("The file is larger than %(size)s MB.") % {"size": round(MAX_BYTES / 1024 / 1024)}, field="file"
        )
    upload.seek(0)
    head = upload.read(64 * 1024)
    if not head.strip():
        raise ServiceError(_("The file is empty."), field="file")
    if b"\x00" in head:
        raise ServiceError(NOT_TEXT, field="file")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise ServiceError(NOT_TEXT, field="file") from None
    delimiter = _sniff_delimiter(head.removeprefix(codecs.BOM_UTF8))
    upload.seek(0)
    raw = getattr(upload, "file", upload)
    text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(_text_lines(text), delimiter=delimiter)
        header = parse_header(next(reader, None))
        rows = sum(1 for record in reader if not _is_blank(record))
    except UnicodeDecodeError:
        raise ServiceError(NOT_TEXT, field="file") from None
    except csv.Error:
        raise ServiceError(NOT_CSV, field="file") from None
    finally:
        text.detach()  # leave the upload open for storing
    if rows == 0:
        raise ServiceError(_("The file has no rows of leads."), field="file")
    upload.seek(0)
    return Inspection(header=header, delimiter=delimiter, rows=rows)
