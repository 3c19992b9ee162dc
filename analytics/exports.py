"""A table of a dashboard as a file: CSV, or an Excel workbook (XlsxWriter)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _guarded(value):
    """Text a spreadsheet would run as a formula, as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv(value) -> str:
    """A CSV cell: a number as written (amounts keep their cents), nothing for no value."""
    if value is None:
        return ""
    return _guarded(value if isinstance(value, str) else str(value))


def _cell(value):
    """An Excel cell: numbers as numbers (a huge amount as text, past a float's exact digits)."""
    if isinstance(value, Decimal):
        return float(value) if abs(value) < 10**15 else str(value)
    if value is None:
        return ""
    return value if isinstance(value, int | float) else _guarded(str(value))


def table_response(rows: list[list], *, filename: str, fmt: str, sheet: str = "Data") -> HttpResponse:
    """``rows`` (the header first) as a download named ``filename`` plus the format's extension."""
    if fmt == "xlsx":
        import xlsxwriter

        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(
            buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
        )
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                worksheet.write(r, c, _cell(value), bold if r == 0 else None)
        worksheet.set_column(0, max((len(row) for row in rows), default=1) - 1, 18)
        workbook.close()
        response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        for row in rows:
            writer.writerow([_csv(value) for value in row])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
