"""The import job: started from a checked upload, run in batches (one transaction each) by a Celery
task, resumed after a crash by the beat task, failed visibly after ``MAX_RUNS`` runs."""

from __future__ import annotations

import csv
import io
import logging
import os
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from catalogue.selectors import active_products
from partners.models import CompanySize, Industry
from prm.audit.services import audit_record
from prm.errors import ServiceError

from ..models import CLOSED_STATUSES, Lead, LeadImport, LeadImportError, LeadImportState, LeadStatus
from ..services.intake import clean_lead_fields
from ..services.routing import leads_assign_batch
from ._common import NOT_CSV, NOT_TEXT, _is_blank, _text_lines
from .access import may_assign, may_import
from .parsing import Header, inspect_upload, parse_header

logger = logging.getLogger(__name__)

BATCH_SIZE = 2000
STALE_AFTER = timedelta(minutes=5)
MAX_RUNS = 3
IMPORT_LOCK_KEY = 740_2002  # pg_advisory_xact_lock key: import batches deduplicate one at a time

# --- Start --------------------------------------------------------------------------------------


def lead_import_start(*, actor, upload, assign: bool = False) -> LeadImport:
    """Check the file, store it and queue its import. Nothing is stored when the file is refused."""
    if not may_import(actor):
        raise PermissionDenied(_("You may not import leads."))
    if assign and not may_assign(actor):
        raise ServiceError(_("You may not assign leads."), field="assign")
    inspection = inspect_upload(upload)
    with transaction.atomic():
        job = LeadImport(
            created_by=actor,
            original_name=os.path.basename(upload.name or "")[:200],
            delimiter=inspection.delimiter,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            assign=assign,
            total_rows=inspection.rows,
        )
        upload.seek(0)
        job.file.save(f"{uuid.uuid4().hex}.csv", File(upload), save=False)
        job.save()
        audit_record(
            actor=actor,
            action="lead.import_started",
            obj=job,
            to_state=job.state,
            data={"rows": job.total_rows, "file": job.original_name, "assign": assign},
        )
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


def enqueue(job_id: int) -> None:
    """Hand the job to Celery; when the broker is down, the resume sweep queues it later."""
    from ..tasks import lead_import_process

    try:
        lead_import_process.apply_async((job_id,), retry=False)
    except Exception:
        logger.warning("Lead import %s left to the resume sweep (broker unavailable).", job_id, exc_info=True)


# --- Run ----------------------------------------------------------------------------------------


class _Catalogue:
    """Active products by id and by name (any language), and the choice fields by code or label."""

    def __init__(self):
        self.products: dict[str, Product] = {}
        for product in active_products():
            for name in (product.name_en, product.name_pt_br, product.name_fr):
                if name:
                    self.products.setdefault(" ".join(name.lower().split()), product)
        for product in active_products():
            self.products[str(product.pk)] = product
        self.choices = {
            name: self._choice_map(choices) for name, choices in (("industry", Industry), ("company_size", CompanySize))
        }

    @staticmethod
    def _choice_map(choices) -> dict[str, str]:
        mapping = {}
        for language in ("en", translation.get_language() or "en"):
            with translation.override(language):
                for value, label in choices.choices:
                    mapping[" ".join(str(label).lower().split())] = value
        for value in choices.values:
            mapping[value.lower()] = value
        return mapping

    def product(self, raw: str) -> tuple[Product | None, bool]:
        key = " ".join(raw.lower().split())
        if not key:
            return None, True
        product = self.products.get(key)
        return product, product is not None

    def choice(self, name: str, raw: str) -> str:
        key = " ".join(raw.lower().split())
        return self.choices[name].get(key, raw)


@dataclass
class _Run:
    job: LeadImport
    header: Header
    catalogue: _Catalogue
    seen: dict[str, int] = field(default_factory=dict)  # email → row, for this run


def lead_import_run(*, job_id: int, batch_size: int = BATCH_SIZE, now=None) -> LeadImport | None:
    """Process (or resume) an import job. Safe to call twice and concurrently."""
    job = LeadImport.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or not job.is_active:
        return job
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _run(job, batch_size, now or timezone.now())


def _claim(job: LeadImport, now) -> LeadImport | None:
    with transaction.atomic():
        job = LeadImport.objects.select_for_update().select_related("created_by").get(pk=job.pk)
        if job.state == LeadImportState.RUNNING and job.updated_at > now - STALE_AFTER:
            return None  # another run is on it
        if not job.is_active:
            return None
        if job.runs >= MAX_RUNS:
            _fail_locked(job, _("The import stopped %(runs)d times before the end.") % {"runs": job.runs})
            return None
        job.state = LeadImportState.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.runs += 1
        job.save(update_fields=["state", "started_at", "runs", "updated_at"])
        if job.runs > 1:
            audit_record(actor=None, action="lead.import_resumed", obj=job, data={"from_row": job.processed})
        return job


def _run(job: LeadImport, batch_size: int, now) -> LeadImport:
    claimed = _claim(job, now)
    if claimed is None:
        return LeadImport.objects.get(pk=job.pk)
    job = claimed
    try:
        handle = job.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        return _fail(job, _("The uploaded file is missing."))
    with handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="")
        try:
            reader = csv.reader(_text_lines(text), delimiter=job.delimiter or ",")
            run = _Run(job=job, header=parse_header(next(reader, None)), catalogue=_Catalogue())
            done, batch, row_number = 0, [], 1
            for record in reader:
                row_number += 1
                if _is_blank(record):
                    continue
                done += 1
                if done <= job.processed:
                    continue  # imported by an earlier run
                batch.append((row_number, record))
                if len(batch) >= batch_size:
                    if not _import_batch(run, batch, offset=done - len(batch)):
                        return LeadImport.objects.get(pk=job.pk)
                    batch = []
            if batch and not _import_batch(run, batch, offset=done - len(batch)):
                return LeadImport.objects.get(pk=job.pk)
        except UnicodeDecodeError:
            return _fail(job, NOT_TEXT)
        except csv.Error:
            return _fail(job, NOT_CSV)
        except ServiceError as error:
            return _fail(job, error.message)
    return _finish(job)


def _row_errors(run: _Run, row_number: int, record: list[str]):
    """The cleaned fields of a row, or its error row."""
    header = run.header
    if len(record) > len(header.fields) and any(value.strip() for value in record[len(header.fields) :]):
        return None, LeadImportError(
            job_id=run.job.pk,
            row=row_number,
            message=str(_("This row has more values than the header has columns.")),
        )
    data = {name: (record[index] if index < len(record) else "") for index, name in enumerate(header.fields)}
    raw_product = data.pop("product", "")
    for name in ("industry", "company_size"):
        if data.get(name):
            data[name] = run.catalogue.choice(name, data[name])
    raw = dict(data)
    try:
        clean = clean_lead_fields({**data, "product": None})
    except ServiceError as error:
        return None, LeadImportError(
            job_id=run.job.pk,
            row=row_number,
            column=header.label(error.field)[:100],
            value=str(raw.get(error.field, "") if error.field else "")[:200],
            message=str(error.message)[:500],
        )
    product, found = run.catalogue.product(raw_product)
    if not found:
        return None, LeadImportError(
            job_id=run.job.pk,
            row=row_number,
            column=header.label("product")[:100],
            value=raw_product[:200],
            message=str(_("Choose a product from the catalogue.")),
        )
    clean["product"] = product
    return clean, None


def _import_batch(run: _Run, batch: list[tuple[int, list[str]]], *, offset: int) -> bool:
    """One transaction: the batch's leads, its error rows and the job's counters. False when the job
    is no longer where this run expects it (another run moved it on, or it ended)."""
    with transaction.atomic():
        job = LeadImport.objects.select_for_update().get(pk=run.job.pk)
        if job.state != LeadImportState.RUNNING or job.processed != offset:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        errors: list[LeadImportError] = []
        valid = []
        for row_number, record in batch:
            clean, error = _row_errors(run, row_number, record)
            if error is not None:
                errors.append(error)
            else:
                valid.append((row_number, clean))
        emails = {clean["email"] for _row, clean in valid}
        open_emails = set(
            Lead.objects.filter(email__in=emails).exclude(status__in=CLOSED_STATUSES).values_list("email", flat=True)
        )
        leads, duplicates = [], 0
        for row_number, clean in valid:
            email = clean["email"]
            first = run.seen.get(email)
            if first is not None or email in open_emails:
                duplicates += 1
                message = (
                    _("Duplicate of row %(row)d of this file.") % {"row": first}
                    if first is not None
                    else _("An open lead with this email already exists.")
                )
                errors.append(
                    LeadImportError(
                        job_id=job.pk,
                        row=row_number,
                        column=run.header.label("email")[:100],
                        value=email[:200],
                        message=str(message),
                        is_duplicate=True,
                    )
                )
                continue
            run.seen[email] = row_number
            leads.append(Lead(created_by_id=job.created_by_id, status=LeadStatus.POOL, **clean))
        Lead.objects.bulk_create(leads, batch_size=BATCH_SIZE)
        errors.sort(key=lambda error: error.row)
        LeadImportError.objects.bulk_create(errors, batch_size=BATCH_SIZE)
        job.processed += len(batch)
        job.imported += len(leads)
        job.duplicates += duplicates
        job.failed += len(errors) - duplicates
        job.save(update_fields=["processed", "imported", "duplicates", "failed", "updated_at"])
        audit_record(
            actor=job.created_by,
            action="lead.imported",
            obj=job,
            data={
                "rows": [batch[0][0], batch[-1][0]],
                "imported": len(leads),
                "duplicates": duplicates,
                "failed": len(errors) - duplicates,
            },
        )
    run.job = job
    if job.assign and leads:
        _assign(job, [lead.pk for lead in leads])
    return True


def _assign(job: LeadImport, lead_ids: list[int]) -> None:
    """Place a batch's leads by the rules (after the batch committed: a refusal keeps them in the pool)."""
    try:
        result = leads_assign_batch(actor=job.created_by, lead_ids=lead_ids)
    except (PermissionDenied, ServiceError):
        logger.warning("Lead import %s: the leads stay in the pool (the uploader may not assign).", job.pk)
        return
    if result.assigned:
        from django.db.models import F

        LeadImport.objects.filter(pk=job.pk).update(assigned=F("assigned") + result.assigned)


def _finish(job: LeadImport) -> LeadImport:
    with transaction.atomic():
        job = LeadImport.objects.select_for_update().get(pk=job.pk)
        if job.state != LeadImportState.RUNNING:
            return job
        job.state = LeadImportState.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "finished_at", "updated_at"])
        audit_record(
            actor=job.created_by,
            action="lead.import_done",
            obj=job,
            from_state=LeadImportState.RUNNING,
            to_state=job.state,
            data={
                "rows": job.processed,
                "imported": job.imported,
                "duplicates": job.duplicates,
                "failed": job.failed,
            },
        )
    return job


def _fail_locked(job: LeadImport, message) -> LeadImport:
    from_state = job.state
    job.state = LeadImportState.FAILED
    job.error = str(message)
    job.finished_at = timezone.now()
    job.save(update_fields=["state", "error", "finished_at", "updated_at"])
    audit_record(
        actor=None,
        action="lead.import_failed",
        obj=job,
        from_state=from_state,
        to_state=job.state,
        reason=job.error,
        data={"processed": job.processed, "imported": job.imported},
    )
    return job


def _fail(job: LeadImport, message) -> LeadImport:
    with transaction.atomic():
        job = LeadImport.objects.select_for_update().get(pk=job.pk)
        if not job.is_active:
            return job
        return _fail_locked(job, message)


def lead_imports_resume(*, limit: int = 20, now=None) -> int:
    """Queue again the jobs left queued or running without progress for STALE_AFTER (the worker
    died, or the broker was down at upload)."""
    now = now or timezone.now()
    stale = list(
        LeadImport.objects.filter(
            state__in=(LeadImportState.QUEUED, LeadImportState.RUNNING), updated_at__lt=now - STALE_AFTER
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    for job_id in stale:
        enqueue(job_id)
    return len(stale)
