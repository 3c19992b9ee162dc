"""Who may import leads, assign the imported leads, and read the import jobs."""

from __future__ import annotations

from prm.tenancy import is_vendor_staff, sees_all_partners

from ..models import LeadImport

# --- Access -------------------------------------------------------------------------------------


def may_import(user) -> bool:
    return is_vendor_staff(user) and user.has_perm("leads.add_lead")


def may_assign(user) -> bool:
    return may_import(user) and user.has_perm("leads.assign_lead") and sees_all_partners(user)


def lead_imports_visible_to(user):
    """Import jobs (and their error reports, which hold contact details): staff who import leads."""
    if not may_import(user):
        return LeadImport.objects.none()
    return LeadImport.objects.select_related("created_by")
