"""Writes of the product catalogue: keyword-only arguments with an explicit ``actor``, one transaction
each, the row locked while it changes, one audit event per write. ``product_validate`` checks and
normalises without writing; the admin form calls it to show errors beside the fields, and the
services call it again inside their transaction. Products are deactivated, never deleted."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.config_writes import apply_changes, refuse_unknown_fields, require_staff_permission
from prm.errors import ServiceError

from .models import Product

PRODUCT_FIELDS = ("name_en", "name_pt_br", "name_fr", "is_active")


def product_validate(*, name_en: str, name_pt_br: str = "", name_fr: str = "", is_active: bool = True) -> dict:
    names = {
        key: " ".join((value or "").split())
        for key, value in (("name_en", name_en), ("name_pt_br", name_pt_br), ("name_fr", name_fr))
    }
    if not names["name_en"]:
        raise ServiceError(_("Enter the product's English name."), field="name_en")
    for key, value in names.items():
        if len(value) > 200:
            raise ServiceError(_("A name has at most 200 characters."), field=key)
    return {**names, "is_active": bool(is_active)}


@transaction.atomic
def product_create(*, actor, name_en: str, name_pt_br: str = "", name_fr: str = "", is_active: bool = True) -> Product:
    require_staff_permission(actor, "catalogue.add_product", _("You may not manage the product catalogue."))
    data = product_validate(name_en=name_en, name_pt_br=name_pt_br, name_fr=name_fr, is_active=is_active)
    product = Product.objects.create(**data)
    audit_record(actor=actor, action="product.created", obj=product, data={"name_en": product.name_en})
    return product


@transaction.atomic
def product_update(*, actor, product: Product, **fields) -> Product:
    require_staff_permission(actor, "catalogue.change_product", _("You may not manage the product catalogue."))
    refuse_unknown_fields(fields, PRODUCT_FIELDS)
    product = Product.objects.select_for_update().get(pk=product.pk)
    current = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    changes = apply_changes(product, product_validate(**{**current, **fields}))
    if changes:
        product.save(update_fields=sorted(changes))
        audit_record(
            actor=actor, action="product.changed", obj=product, reason=", ".join(sorted(changes)), data=changes
        )
    return product
