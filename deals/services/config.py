"""Writes of what channel staff configure for deal registration: house accounts and program settings (the
product catalogue is the ``catalogue`` app's).

Same rules as the other modules of ``deals.services``: keyword-only arguments with an explicit ``actor``, one
transaction each, the row locked while it changes, one audit event per write. The ``*_validate``
functions check and normalise without writing; admin forms call them to show errors beside the
fields, and the services call them again inside their transaction.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.config_writes import apply_changes, refuse_unknown_fields, require_staff_permission
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.identity import normalize_company_name, normalize_email_domain, normalize_tax_id

from ..models import DealProgramSettings, HouseAccount

HOUSE_ACCOUNT_FIELDS = ("company_name", "country", "email_domain", "tax_id")
SETTINGS_FIELDS = (
    "decision_days",
    "protection_days",
    "extension_days",
    "max_extensions",
    "second_approval_amount",
    "conflict_threshold",
    "auto_approve_on_breach",
)
MAX_DAYS = 3650
MAX_AMOUNT = Decimal("1e12")  # the column holds 12 digits before the point


# --- House accounts ---------------------------------------------------------------------------


def house_account_validate(*, company_name: str, country: str, email_domain: str = "", tax_id: str = "") -> dict:
    """The normalised fields of a house account (used by ``house_account_create`` and ``house_account_update``)."""
    company_name = " ".join((company_name or "").split())
    if not normalize_company_name(company_name):
        raise ServiceError(_("Enter the customer's company name."), field="company_name")
    if len(company_name) > 200:
        raise ServiceError(_("A name has at most 200 characters."), field="company_name")
    country = (country or "").strip().upper()
    if country not in COUNTRIES:
        raise ServiceError(_("Choose the customer's country from the list."), field="country")
    domain = normalize_email_domain(email_domain) if (email_domain or "").strip() else ""
    if domain and ("." not in domain or " " in domain or len(domain) > 253):
        raise ServiceError(_("Enter an email domain such as example.com."), field="email_domain")
    tax_id = (tax_id or "").strip()
    if tax_id and not normalize_tax_id(tax_id):
        raise ServiceError(_("A tax ID needs letters or digits."), field="tax_id")
    if len(tax_id) > 60:
        raise ServiceError(_("A tax ID has at most 60 characters."), field="tax_id")
    return {
        "company_name": company_name,
        "name_normalized": normalize_company_name(company_name),
        "country": country,
        "email_domain": domain,
        "tax_id": tax_id,
        "tax_id_normalized": normalize_tax_id(tax_id),
    }


@transaction.atomic
def house_account_create(
    *, actor, company_name: str, country: str, email_domain: str = "", tax_id: str = ""
) -> HouseAccount:
    require_staff_permission(actor, "deals.add_houseaccount", _("You may not manage house accounts."))
    account = HouseAccount.objects.create(
        **house_account_validate(company_name=company_name, country=country, email_domain=email_domain, tax_id=tax_id)
    )
    audit_record(actor=actor, action="house_account.created", obj=account)
    return account


@transaction.atomic
def house_account_update(*, actor, account: HouseAccount, **fields) -> HouseAccount:
    require_staff_permission(actor, "deals.change_houseaccount", _("You may not manage house accounts."))
    refuse_unknown_fields(fields, HOUSE_ACCOUNT_FIELDS)
    account = HouseAccount.objects.select_for_update().get(pk=account.pk)
    current = {name: getattr(account, name) for name in HOUSE_ACCOUNT_FIELDS}
    changes = apply_changes(account, house_account_validate(**{**current, **fields}))
    if changes:
        account.save(update_fields=sorted(changes))
        audit_record(
            actor=actor,
            action="house_account.changed",
            obj=account,
            reason=", ".join(sorted(name for name in changes if not name.endswith("_normalized"))),
            data=changes,
        )
    return account


@transaction.atomic
def house_account_delete(*, actor, account: HouseAccount) -> None:
    require_staff_permission(actor, "deals.delete_houseaccount", _("You may not manage house accounts."))
    account = HouseAccount.objects.select_for_update().get(pk=account.pk)
    audit_record(
        actor=actor,
        action="house_account.deleted",
        obj=account,
        data={"company_name": account.company_name, "country": account.country},
    )
    account.delete()


# --- Program settings -------------------------------------------------------------------------


def _whole(value, field: str, low: int, high: int, message) -> int:
    if isinstance(value, bool):
        raise ServiceError(message, field=field)
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(message, field=field) from None
    if not low <= number <= high:
        raise ServiceError(message, field=field)
    return number


def _decimal(value, field: str, message) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, TypeError):
        raise ServiceError(message, field=field) from None
    if not number.is_finite():
        raise ServiceError(message, field=field)
    return number


def deal_program_settings_validate(
    *,
    decision_days,
    protection_days,
    extension_days,
    max_extensions,
    second_approval_amount,
    conflict_threshold,
    auto_approve_on_breach,
) -> dict:
    data = {
        "decision_days": _whole(
            decision_days, "decision_days", 1, 365, _("The decision time is 1 to 365 business days.")
        ),
        "protection_days": _whole(
            protection_days, "protection_days", 1, MAX_DAYS, _("The protection period is 1 to 3650 days.")
        ),
        "extension_days": _whole(extension_days, "extension_days", 1, MAX_DAYS, _("An extension is 1 to 3650 days.")),
        "max_extensions": _whole(max_extensions, "max_extensions", 0, 100, _("Allow 0 to 100 extensions.")),
        "auto_approve_on_breach": bool(auto_approve_on_breach),
    }
    if second_approval_amount in (None, ""):
        data["second_approval_amount"] = None
    else:
        amount = _decimal(
            second_approval_amount, "second_approval_amount", _("Enter an amount, or leave it empty for never.")
        )
        if amount < 0 or amount >= MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
            raise ServiceError(_("Enter an amount, or leave it empty for never."), field="second_approval_amount")
        data["second_approval_amount"] = amount
    threshold = _decimal(
        conflict_threshold, "conflict_threshold", _("The name similarity is a number from 0.10 to 1.00.")
    )
    if not Decimal("0.10") <= threshold <= Decimal("1.00") or threshold != threshold.quantize(Decimal("0.01")):
        raise ServiceError(_("The name similarity is a number from 0.10 to 1.00."), field="conflict_threshold")
    data["conflict_threshold"] = threshold
    return data


def deal_program_settings_create(*, program) -> DealProgramSettings:
    """The settings row of a new program, with the defaults (the system makes it with the program)."""
    settings, _created = DealProgramSettings.objects.get_or_create(program=program)
    return settings


@transaction.atomic
def deal_program_settings_update(*, actor, settings: DealProgramSettings, **fields) -> DealProgramSettings:
    """Change the deal registration rules of a program. Deals already submitted keep their running clocks."""
    require_staff_permission(
        actor, "deals.change_dealprogramsettings", _("You may not change the deal registration settings.")
    )
    refuse_unknown_fields(fields, SETTINGS_FIELDS)
    settings = DealProgramSettings.objects.select_for_update().select_related("program").get(pk=settings.pk)
    current = {name: getattr(settings, name) for name in SETTINGS_FIELDS}
    changes = apply_changes(settings, deal_program_settings_validate(**{**current, **fields}))
    if changes:
        settings.save(update_fields=sorted(changes))
        audit_record(
            actor=actor,
            action="deal_settings.changed",
            obj=settings,
            reason=", ".join(sorted(changes)),
            data=changes,
        )
    return settings
