"""CSV import of leads: the upload check, the import job and its batched processing (a Celery task).

- The upload is checked by content before anything is stored: at most ``LEAD_IMPORT_MAX_BYTES``,
  UTF-8 text (a byte-order mark is accepted, NUL bytes are not), a header row whose columns are
  known (``HEADER_ALIASES``) and include the required ones, comma, semicolon or tab separated.
  Then the file is stored under MEDIA_ROOT (never served) and a ``LeadImport`` row is queued.
- ``lead_import_run`` streams the stored file and handles it in batches of ``BATCH_SIZE`` rows.
  Each batch is one transaction: its leads (``bulk_create``), its error rows and the job's
  counters move together, so the job never claims rows it did not write, and every row not
  imported has an error row (row number, column, value, translated message).
- Rows are validated with ``leads.services.clean_lead_fields``; products are looked up in the
  active catalogue (by id or by name, loaded once per run). Duplicates by email are skipped: a
  second row of the file with the same email, or a row whose email belongs to an open lead.
- Crash recovery: resume. ``processed`` is committed with each batch; a run skips that many rows
  and carries on. A job left ``queued`` or ``running`` without progress for ``STALE_AFTER`` is
  queued again by the beat task ``leads.tasks.lead_imports_resume`` (and Redis redelivers an
  unacknowledged task); after ``MAX_RUNS`` runs it fails visibly, keeping what was imported and
  saying so. A run only takes a job that is queued or stale, and each batch checks under the job's
  row lock that the job is still where it expects it, so two runs never import the same rows.
- With ``assign`` (uploader may assign leads), each batch's leads are placed by the rules right
  after the batch commits (``leads_assign_batch``); leads it leaves in the pool stay there.

The package: ``parsing`` (the upload check and the header), ``jobs`` (start, run, resume), ``access``
(who may import) and ``report`` (the error report).
"""

from ._common import NOT_CSV, NOT_TEXT
from .access import lead_imports_visible_to, may_assign, may_import
from .jobs import (
    BATCH_SIZE,
    IMPORT_LOCK_KEY,
    MAX_RUNS,
    STALE_AFTER,
    enqueue,
    lead_import_run,
    lead_import_start,
    lead_imports_resume,
)
from .parsing import COLUMNS, HEADER_ALIASES, MAX_BYTES, REQUIRED, Header, Inspection, inspect_upload, parse_header
from .report import error_report_rows

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "HEADER_ALIASES",
    "IMPORT_LOCK_KEY",
    "MAX_BYTES",
    "MAX_RUNS",
    "NOT_CSV",
    "NOT_TEXT",
    "REQUIRED",
    "STALE_AFTER",
    "Header",
    "Inspection",
    "enqueue",
    "error_report_rows",
    "inspect_upload",
    "lead_import_run",
    "lead_import_start",
    "lead_imports_resume",
    "lead_imports_visible_to",
    "may_assign",
    "may_import",
    "parse_header",
]
