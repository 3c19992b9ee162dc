"""Matrix entries of the CSV import of leads (staff pages and API); see the package docstring.

Only staff who import leads (``leads.add_lead``: the channel manager and channel marketing) reach
them; partner users and other staff are refused (403), anonymous visitors are
sent to log in (pages) or answered 401 (API). The job in the path is a finished import with one
error row, made by the channel manager.
"""

from tests.matrix_cast import LOGIN, row

_PAGE = row(LOGIN, 403, 403, 403, 403, 403, 200, 403, marketing=200)
_API = row(401, 403, 403, 403, 403, 403, 200, 403, marketing=200)

ROUTES: dict = {
    "staff_lead_import": _PAGE,
    "staff_lead_import_detail": _PAGE,
    "staff_lead_import_progress": _PAGE,
    "staff_lead_import_errors": _PAGE,
    "api_lead_import_list": _API,
    "api_lead_import_detail": _API,
    "api_lead_import_errors": _API,
}
POSTED: dict = {}
ADMIN_MODELS: dict = {}


def route_values(objects: dict) -> dict:
    from leads.models import LeadImport, LeadImportError, LeadImportState

    job = LeadImport.objects.create(
        created_by=objects["pool"].created_by,
        original_name="leads.csv",
        state=LeadImportState.DONE,
        total_rows=2,
        processed=2,
        imported=1,
        failed=1,
    )
    LeadImportError.objects.create(job=job, row=3, column="email", value="nope", message="Enter a valid email address.")
    return {name: {"pk": job.pk} for name in ROUTES if name != "staff_lead_import" and name != "api_lead_import_list"}


def admin_objects(objects: dict) -> dict:
    return {}
