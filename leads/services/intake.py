"""Intake of leads: the validated fields of a lead (shared by the admin, the API and the CSV import)
and a new lead in the vendor pool."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from catalogue.models import Product
from catalogue.selectors import active_products
from partners.models import CompanySize, Industry
from prm.audit.services import audit_record
from prm.countries import COUNTRIES
from prm.errors import ServiceError

from ..models import Lead, LeadRating, LeadStatus
from ._common import _require_staff_perm
from ._offers import _assign_by_rules

LEAD_FIELDS = (
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
    "product",
    "rating",
    "source",
    "notes",
)
LENGTH_LIMITS = {
    "contact_name": 200,
    "email": 254,
    "phone": 40,
    "company": 200,
    "region": 100,
    "city": 100,
    "source": 100,
    "notes": 5000,
}


def clean_lead_fields(data: dict) -> dict:
    """The validated fields of a lead (shared by the admin, the API and the CSV import).

    Raises ServiceError naming the field at the first problem."""
    unknown = set(data) - set(LEAD_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    clean = {name: data.get(name) for name in LEAD_FIELDS}
    for name in ("contact_name", "email", "phone", "company", "region", "city", "source", "notes"):
        value = clean[name]
        clean[name] = ("" if value is None else str(value)).strip()
        if name != "notes":
            clean[name] = " ".join(clean[name].split())
        if len(clean[name]) > LENGTH_LIMITS[name]:
            raise ServiceError(
                _("This field has at most %(limit)d characters.") % {"limit": LENGTH_LIMITS[name]}, field=name
            )
    if not clean["company"]:
        raise ServiceError(_("Enter the company."), field="company")
    if not clean["contact_name"]:
        raise ServiceError(_("Enter the contact's name."), field="contact_name")
    try:
        EmailValidator()(clean["email"])
    except ValidationError:
        raise ServiceError(_("Enter a valid email address."), field="email") from None
    clean["email"] = clean["email"].lower()
    clean["country"] = str(clean["country"] or "").strip().upper()
    if clean["country"] not in COUNTRIES:
        raise ServiceError(_("Choose the country from the list."), field="country")
    clean["company_size"] = clean["company_size"] or ""
    if clean["company_size"] and clean["company_size"] not in CompanySize.values:
        raise ServiceError(_("Choose a company size from the list."), field="company_size")
    clean["industry"] = clean["industry"] or ""
    if clean["industry"] and clean["industry"] not in Industry.values:
        raise ServiceError(_("Choose an industry from the list."), field="industry")
    clean["rating"] = str(clean["rating"] or LeadRating.B).strip().upper()
    if clean["rating"] not in LeadRating.values:
        raise ServiceError(_("Choose a rating: A, B or C."), field="rating")
    product = clean["product"]
    if product not in (None, ""):
        product_id = product.pk if isinstance(product, Product) else product
        product = active_products().filter(pk=product_id).first() if str(product_id).isdigit() else None
        if product is None:
            raise ServiceError(_("Choose a product from the catalogue."), field="product")
    clean["product"] = product or None
    for name, limit in (("latitude", 90), ("longitude", 180)):
        value = clean[name]
        if value in (None, ""):
            clean[name] = None
            continue
        try:
            clean[name] = float(value)
        except (TypeError, ValueError):
            raise ServiceError(_("Enter a number of degrees."), field=name) from None
        if not -limit <= clean[name] <= limit:
            raise ServiceError(_("Enter a number of degrees."), field=name)
    if (clean["latitude"] is None) != (clean["longitude"] is None):
        raise ServiceError(_("Give both the latitude and the longitude, or neither."), field="latitude")
    return clean


# --- Intake ----------------------------------------------------------------------------------------


@transaction.atomic
def lead_create(*, actor, assign: bool = False, **fields) -> Lead:
    """A new lead in the vendor pool (staff); with ``assign`` the rules place it at once."""
    _require_staff_perm(actor, "leads.add_lead", _("You may not create leads."))
    lead = Lead.objects.create(created_by=actor, status=LeadStatus.POOL, **clean_lead_fields(fields))
    audit_record(actor=actor, action="lead.created", obj=lead, to_state=lead.status)
    if assign:
        lead = _assign_by_rules(actor=actor, lead=lead)
    return lead
