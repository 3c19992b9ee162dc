"""Registration: the partner's drafts (the customer's fields cleaned) and their submission, which runs
the conflict check and starts the decision clock."""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.selectors import partner_cams
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.identity import normalize_company_name, normalize_email_domain, normalize_tax_id
from prm.money.currencies import Currency
from prm.sla.calendar import working_seconds_per_day

from ..models import DECISION_KIND, Deal, DealStatus
from ..selectors import deal_conflicts, program_settings
from ._common import _audit, _check_transition, _date, _lock, _money, _require_member
from .notices import _notify_all

logger = logging.getLogger(__name__)

DECISION_REMINDERS = (0.5, 0.8)

DRAFT_FIELDS = (
    "customer_company",
    "customer_email",
    "customer_tax_id",
    "customer_country",
    "amount",
    "currency",
    "expected_close_date",
    "notes",
)

LENGTH_LIMITS = {"customer_company": 200, "customer_email": 254, "customer_tax_id": 60, "notes": 5000}


def _clean_customer(data: dict) -> dict:
    company = " ".join((data.get("customer_company") or "").split())
    if not normalize_company_name(company):
        raise ServiceError(_("Enter the customer's company name."), field="customer_company")
    for field, limit in LENGTH_LIMITS.items():
        if len(str(data.get(field) or "")) > limit:
            raise ServiceError(_("This field has at most %(limit)d characters.") % {"limit": limit}, field=field)
    country = (data.get("customer_country") or "").upper()
    if country not in COUNTRIES:
        raise ServiceError(_("Choose the customer's country from the list."), field="customer_country")
    email = (data.get("customer_email") or "").strip()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ServiceError(_("Enter a valid email address."), field="customer_email") from None
    tax_id = (data.get("customer_tax_id") or "").strip()
    if tax_id and not normalize_tax_id(tax_id):
        raise ServiceError(_("A tax ID needs letters or digits."), field="customer_tax_id")
    amount = _money(data.get("amount"), "amount", _("Enter the estimated amount."))
    currency = data.get("currency") or Currency.USD
    if currency not in Currency.values:
        raise ServiceError(_("Choose a currency from the list."), field="currency")
    expected_close_date = _date(data.get("expected_close_date"), "expected_close_date")
    if expected_close_date is None:
        raise ServiceError(_("Enter the expected close date."), field="expected_close_date")
    if expected_close_date < timezone.localdate():
        raise ServiceError(_("The expected close date cannot be in the past."), field="expected_close_date")
    name = normalize_company_name(company)
    return {
        "customer_company": company,
        "customer_name_normalized": name,
        "customer_email": email,
        "customer_email_domain": normalize_email_domain(email) if email else "",
        "customer_tax_id": tax_id,
        "customer_tax_id_normalized": normalize_tax_id(tax_id),
        "customer_country": country,
        "customer_key": f"{country}:{name}",
        "amount": amount,
        "currency": currency,
        "expected_close_date": expected_close_date,
        "notes": (data.get("notes") or "").strip(),
    }


# --- Drafts -----------------------------------------------------------------------------------


@transaction.atomic
def deal_create_draft(*, actor, partner, products=(), **fields) -> Deal:
    _require_member(actor, partner.pk)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    deal = Deal.objects.create(partner=partner, created_by=actor, **_clean_customer(fields))
    if products:
        deal.products.set(products)
    _audit(actor=actor, deal=deal, action="deal.created")
    return deal


@transaction.atomic
def deal_update_draft(*, actor, deal: Deal, products=None, **fields) -> Deal:
    _require_member(actor, deal.partner_id)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise ServiceError(_("These fields cannot be set: %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    deal = _lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise ServiceError(_("Only a draft can be edited."), field="status")
    current = {name: getattr(deal, name) for name in DRAFT_FIELDS}
    for name, value in _clean_customer({**current, **fields}).items():
        setattr(deal, name, value)
    deal.save()
    if products is not None:
        deal.products.set(products)
    _audit(actor=actor, deal=deal, action="deal.updated", fields=sorted(fields))
    return deal


@transaction.atomic
def deal_delete_draft(*, actor, deal: Deal) -> None:
    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    if deal.status != DealStatus.DRAFT:
        raise ServiceError(_("Only a draft can be deleted."), field="status")
    _audit(actor=actor, deal=deal, action="deal.deleted", customer=deal.customer_company)
    deal.delete()


# --- Submission and decision --------------------------------------------------------------------


def _run_conflict_check(deal: Deal) -> None:
    """Set conflict_flag from the matches; a failing check sends the deal to manual review."""
    try:
        with transaction.atomic():
            matches = deal_conflicts(deal)
    except Exception:
        logger.exception("Conflict check of deal %s failed.", deal.pk)
        deal.conflict_flag = True
        deal.conflict_check_failed = True
        return
    deal.conflict_flag = bool(matches)
    deal.conflict_check_failed = False


@transaction.atomic
def deal_submit(*, actor, deal: Deal, at: datetime.datetime | None = None) -> Deal:
    from prm.sla.services import deadline_start

    _require_member(actor, deal.partner_id)
    deal = _lock(deal)
    _check_transition(deal, DealStatus.SUBMITTED)
    at = at or timezone.now()
    from_state = deal.status
    deal.status = DealStatus.SUBMITTED
    deal.submitted_at = at
    _run_conflict_check(deal)
    deal.save()
    program = deal.partner.program
    settings = program_settings(program)
    deadline_start(
        actor=actor,
        obj=deal,
        kind=DECISION_KIND,
        calendar=program.calendar,
        duration_seconds=max(1, settings.decision_days) * working_seconds_per_day(program.calendar),
        reminders=DECISION_REMINDERS,
        start=at,
    )
    _audit(actor=actor, deal=deal, action="deal.submitted", from_state=from_state, conflict=deal.conflict_flag)
    _notify_all(partner_cams(deal.partner_id), deal=deal, kind="deal.submitted", key="submitted")
    return deal
