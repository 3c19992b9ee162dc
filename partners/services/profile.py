"""Writes of a partner's company profile: its fields, addresses and logo, checked and normalised
here for every caller (the partner's pages, the API, the admin)."""

import re
import uuid
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.tenancy import is_vendor_staff

from ..models import CompanySize, Industry, Partner, PartnerAddress, Region, Specialty, SpokenLanguage
from ._common import _lock_partner
from .team import authorize_team_action

PROFILE_FIELDS = (
    "name",
    "website",
    "email_domain",
    "tax_id",
    "description",
    "company_size",
    "regions",
    "industries",
    "languages",
    "specialties",
    "publish_in_locator",
)
ADDRESS_FIELDS = ("kind", "line1", "line2", "city", "state", "postal_code", "country")
LOGO_FORMATS = {"PNG", "JPEG", "WEBP"}
LOGO_MAX_SIDE = 4096  # pixels, each way, of the uploaded image
LOGO_SIZE = (512, 512)  # the stored logo fits in this box
_DOMAIN = re.compile(r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


def clean_country(value) -> str:
    """An ISO 3166 alpha-2 code, upper case; ServiceError otherwise."""
    code = str(value or "").strip().upper()
    if not _COUNTRY.match(code):
        raise ServiceError(_("Enter the country as a two-letter ISO code, for example BR or FR."), field="country")
    return code


def clean_email_domain(value) -> str:
    domain = str(value or "").strip().lower().lstrip("@")
    if domain and not _DOMAIN.match(domain):
        raise ServiceError(_("Enter a domain name such as example.com."), field="email_domain")
    return domain


def _choice_list(values, choices, field) -> list[str]:
    result = []
    for value in values or []:
        if value not in choices.values:
            raise ServiceError(_("Choose only offered values."), field=field)
        if value not in result:
            result.append(value)
    return result


def _clean_profile(partner: Partner, data: dict) -> dict:
    """The profile values of ``data`` (only the keys given), checked and normalised."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(unknown)})
    clean = {}
    if "name" in data:
        name = " ".join(str(data["name"] or "").split())
        if not name:
            raise ServiceError(_("Enter the company name."), field="name")
        if len(name) > 200:
            raise ServiceError(_("The company name can have at most 200 characters."), field="name")
        clean["name"] = name
    if "website" in data:
        website = str(data["website"] or "").strip()
        if website:
            try:
                URLValidator(schemes=["http", "https"])(website)
            except ValidationError:
                raise ServiceError(_("Enter a website address such as https://example.com."), field="website")
            if len(website) > 200:
                raise ServiceError(_("The website address is too long."), field="website")
        clean["website"] = website
    if "email_domain" in data:
        clean["email_domain"] = clean_email_domain(data["email_domain"])
    if "tax_id" in data:
        tax_id = str(data["tax_id"] or "").strip()
        if len(tax_id) > 40:
            raise ServiceError(_("The tax ID can have at most 40 characters."), field="tax_id")
        clean["tax_id"] = tax_id
    if "description" in data:
        description = str(data["description"] or "").strip()
        if len(description) > 5000:
            raise ServiceError(_("The description can have at most 5,000 characters."), field="description")
        clean["description"] = description
    if "company_size" in data:
        size = data["company_size"] or ""
        if size and size not in CompanySize.values:
            raise ServiceError(_("Choose only offered values."), field="company_size")
        clean["company_size"] = size
    for field, choices in (("regions", Region), ("industries", Industry), ("languages", SpokenLanguage)):
        if field in data:
            clean[field] = _choice_list(data[field], choices, field)
    if "specialties" in data:
        ids = {getattr(item, "pk", item) for item in data["specialties"] or []}
        found = set(Specialty.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        if found != ids:
            raise ServiceError(_("Choose only offered values."), field="specialties")
        clean["specialties"] = found
    if "publish_in_locator" in data:
        clean["publish_in_locator"] = bool(data["publish_in_locator"])
    return clean


# What only vendor staff set (in the admin): the program and the country.
STAFF_PROFILE_FIELDS = ("program", "country")


def partner_profile_validate(*, actor, partner: Partner, data: dict) -> dict:
    """The values of ``data`` checked and normalised, as the profile services write them; the admin's
    form calls it to show field errors before saving."""
    staff = {field: data[field] for field in STAFF_PROFILE_FIELDS if field in data}
    if staff and not is_vendor_staff(actor):
        raise ServiceError(_("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(staff)})
    values = _clean_profile(partner, {field: value for field, value in data.items() if field not in staff})
    if "country" in staff:
        values["country"] = clean_country(staff["country"])
    if "program" in staff:
        values["program"] = staff["program"]
    return values


def _clean_addresses(partner: Partner, addresses) -> list[dict]:
    """Checks each address row: ``id`` for an existing one (of this partner), ``delete`` to remove it."""
    from ..models import AddressKind

    existing = set(PartnerAddress.objects.filter(partner=partner).values_list("pk", flat=True))
    rows = []
    for number, row in enumerate(addresses, start=1):
        pk = row.get("id")
        pk = getattr(pk, "pk", pk)
        if pk not in (None, "") and int(pk) not in existing:
            raise ServiceError(_("Address %(number)s does not exist.") % {"number": number}, field="addresses")
        pk = int(pk) if pk not in (None, "") else None
        if row.get("delete"):
            if pk is not None:
                rows.append({"id": pk, "delete": True})
            continue
        values = {field: " ".join(str(row.get(field) or "").split()) for field in ADDRESS_FIELDS}
        values["kind"] = values["kind"] or AddressKind.HEAD_OFFICE
        if values["kind"] not in AddressKind.values:
            raise ServiceError(_("Address %(number)s: choose a kind.") % {"number": number}, field="addresses")
        if not values["line1"] or not values["city"]:
            raise ServiceError(
                _("Address %(number)s: enter the street address and the city.") % {"number": number},
                field="addresses",
            )
        try:
            values["country"] = clean_country(values["country"])
        except ServiceError:
            raise ServiceError(
                _("Address %(number)s: enter the country as a two-letter ISO code.") % {"number": number},
                field="addresses",
            )
        for field in ADDRESS_FIELDS:
            limit = PartnerAddress._meta.get_field(field).max_length
            if len(values[field]) > limit:
                raise ServiceError(_("Address %(number)s is too long.") % {"number": number}, field="addresses")
        rows.append({"id": pk, "delete": False, **values})
    return rows


def logo_reencode(upload) -> ContentFile:
    """The uploaded logo as a clean PNG that fits in 512×512: the type is checked by content
    (PNG, JPEG or WebP, whatever the file name says), size and dimensions are capped, and every
    piece of metadata (EXIF, ICC profile, text chunks) is left out.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    too_big = ServiceError(
        _("The logo can be at most %(size)s MB.") % {"size": round(settings.LOGO_MAX_BYTES / 1024 / 1024, 1)},
        field="logo",
    )
    not_image = ServiceError(_("Upload a PNG, JPEG or WebP image."), field="logo")
    size = getattr(upload, "size", None)
    if size is not None and size > settings.LOGO_MAX_BYTES:
        raise too_big
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(settings.LOGO_MAX_BYTES + 1)
    if len(data) > settings.LOGO_MAX_BYTES:
        raise too_big
    try:
        with Image.open(BytesIO(data), formats=sorted(LOGO_FORMATS)) as image:
            if image.format not in LOGO_FORMATS:
                raise not_image
            if image.width > LOGO_MAX_SIDE or image.height > LOGO_MAX_SIDE:
                raise ServiceError(
                    _("The logo can be at most %(side)s × %(side)s pixels.") % {"side": LOGO_MAX_SIDE}, field="logo"
                )
            image.load()
            image = ImageOps.exif_transpose(image)
            has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            image = image.convert("RGBA" if has_alpha else "RGB")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise not_image
    image.thumbnail(LOGO_SIZE, Image.Resampling.LANCZOS)
    # A fresh image carries pixels only: no EXIF, ICC profile or text from the upload.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    output = BytesIO()
    clean.save(output, format="PNG", optimize=True)
    return ContentFile(output.getvalue())


@transaction.atomic
def partner_profile_update(*, actor, partner: Partner, data: dict, addresses=None, logo=None) -> Partner:
    """Updates the company profile (the keys of ``data``), its addresses (when given: the full list
    of rows to keep, add or delete) and its logo (when given), in one transaction with one audit event.
    """
    from ..recruitment import normalize_company_name, normalize_tax_id

    authorize_team_action(actor=actor, partner=partner, staff_perm="partners.change_partner")
    values = partner_profile_validate(actor=actor, partner=partner, data=data)
    rows = _clean_addresses(partner, addresses) if addresses is not None else []
    logo_file = logo_reencode(logo) if logo else None

    partner = _lock_partner(partner.pk)
    changed = []
    update_fields = []
    for field, value in values.items():
        if field == "specialties":
            if set(partner.specialties.values_list("pk", flat=True)) != value:
                partner.specialties.set(value)
                changed.append(field)
            continue
        if getattr(partner, field) != value:
            setattr(partner, field, value)
            changed.append(field)
            update_fields.append(field)
    if "name" in update_fields:
        partner.name_normalized = normalize_company_name(partner.name)
        update_fields.append("name_normalized")
    if "tax_id" in update_fields:
        partner.tax_id_normalized = normalize_tax_id(partner.tax_id)
        update_fields.append("tax_id_normalized")

    addresses_changed = False
    for row in rows:
        if row["delete"]:
            PartnerAddress.objects.filter(pk=row["id"], partner=partner).delete()
            addresses_changed = True
            continue
        address_values = {field: row[field] for field in ADDRESS_FIELDS}
        if row["id"] is None:
            PartnerAddress.objects.create(partner=partner, **address_values)
            addresses_changed = True
            continue
        address = PartnerAddress.objects.get(pk=row["id"], partner=partner)
        if any(getattr(address, field) != value for field, value in address_values.items()):
            PartnerAddress.objects.filter(pk=address.pk).update(**address_values)
            addresses_changed = True
    if addresses_changed:
        changed.append("addresses")

    if logo_file is not None:
        old_name = partner.logo.name
        partner.logo.save(f"{partner.pk}-{uuid.uuid4().hex}.png", logo_file, save=False)
        update_fields.append("logo")
        changed.append("logo")
        if old_name:
            storage = partner.logo.storage
            transaction.on_commit(lambda: storage.delete(old_name))

    if update_fields:
        partner.save(update_fields=update_fields)
    if changed:
        audit_record(
            actor=actor,
            action="partner.profile_updated",
            obj=partner,
            reason=", ".join(changed),
            data={"fields": changed},
        )
    from ..onboarding import onboarding_evaluate

    onboarding_evaluate(partner=partner, actor=actor)
    return partner
