"""Celery tasks of lead distribution: thin, keyed by primary keys, safe to run twice."""

from celery import shared_task

from . import imports, services


@shared_task(acks_late=True, ignore_result=True)
def lead_import_process(job_id: int) -> None:
    """Import (or resume) one CSV import job; does nothing when it is finished or another run holds it."""
    imports.lead_import_run(job_id=job_id)


@shared_task(ignore_result=True)
def lead_imports_resume() -> int:
    """Beat: queue again the import jobs that stopped making progress (worker died, broker was down)."""
    return imports.lead_imports_resume()


@shared_task(ignore_result=True)
def leads_assign_pool() -> int:
    """Beat: offer the vendor pool's leads by the rules (bounded batches, one transaction each)."""
    return services.leads_assign_pool(actor=None).assigned
