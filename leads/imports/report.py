"""The error report of an import job: a CSV of the rows not imported, safe to open in a spreadsheet."""

from __future__ import annotations

import csv

from django.utils.translation import gettext_lazy as _

from ..models import LeadImport

# --- Error report -------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A value safe to open in a spreadsheet (no formula injection)."""
    value = str(value)
    return f"'{value}" if value.startswith(_FORMULA_START) else value


class _Echo:
    def write(self, value):
        return value


def error_report_rows(job: LeadImport):
    """The error report as CSV lines: row, column, value, error (streamed)."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([str(_("row")), str(_("column")), str(_("value")), str(_("error"))])
    errors = job.errors.order_by("row", "pk").values_list("row", "column", "value", "message")
    for row, column, value, message in errors.iterator(chunk_size=2000):
        yield writer.writerow([row, _cell(column), _cell(value), _cell(message)])
