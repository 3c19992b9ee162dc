"""Writes of recruitment: submit an application, tick its criteria, approve or reject it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.identity import normalize_company_name, normalize_tax_id
from prm.notifications.services import notify, notify_many
from prm.sla.calendar import working_seconds_per_day
from prm.sla.models import ACTIVE_STATES, Deadline
from prm.workflow import check_transition, lock_or_error

from ..models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationCheck,
    ApplicationStatus,
    Partner,
    PartnerRole,
    Tier,
)
from ..onboarding import current_agreement
from ..roles import StaffRole
from ._common import REVIEW_KIND, REVIEW_REMINDERS, _admin_url
from .selectors import cam_for_country, icp_questions, staff_with_role
from .validators import validate_email_domain, validate_phone


def _require_reviewer(actor) -> None:
    if not (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("partners.review_application")
    ):
        raise PermissionDenied(_("You may not review applications."))


def _lock(application) -> Application:
    return lock_or_error(Application.objects.select_related("program"), application.pk)


def _decided(status) -> str:
    return _("This application was already decided (%(status)s).") % {"status": ApplicationStatus(status).label}


def _already_decided(application) -> ServiceError:
    return ServiceError(_decided(application.status), field="status")


def _check_transition(application, to_state: str) -> None:
    check_transition(
        APPLICATION_TRANSITIONS,
        application.status,
        to_state,
        message=lambda current, _target: _decided(current),
    )


def _close_review_clock(*, actor, application) -> None:
    from prm.sla.services import deadline_met

    for deadline in Deadline.objects.for_object(application, REVIEW_KIND).filter(state__in=ACTIVE_STATES):
        deadline_met(actor=actor, deadline=deadline)


def application_submit(
    *,
    program,
    company_name: str,
    email_domain: str,
    country: str,
    company_size: str,
    contact_name: str,
    contact_email: str,
    contact_phone: str,
    website: str = "",
    regions=(),
    industries=(),
    specialties=(),
    tax_id: str = "",
    icp_answers: dict | None = None,
    accept_terms: bool = False,
    language: str = "",
    ip: str | None = None,
    actor=None,
) -> Application:
    """Store an application, tell the applicant it arrived and start the review clock.

    The rules of the form hold here too: a company email domain that is not free mail, a known
    country, answers to the required questions, and the acceptance of the published terms.
    """
    company_name = " ".join((company_name or "").split())
    if not normalize_company_name(company_name):
        raise ServiceError(_("Enter the name of your company."), field="company_name")
    try:
        email_domain = validate_email_domain(email_domain)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="email_domain") from None
    country = (country or "").upper()
    if country not in COUNTRIES:
        raise ServiceError(_("Choose your country from the list."), field="country")
    try:
        EmailValidator()(contact_email)
    except ValidationError:
        raise ServiceError(_("Enter a valid email address."), field="contact_email") from None
    try:
        contact_phone = validate_phone(contact_phone)
    except ValidationError as error:
        raise ServiceError(error.messages[0], field="contact_phone") from None
    tax_id = (tax_id or "").strip()
    if tax_id and not normalize_tax_id(tax_id):
        raise ServiceError(_("A tax ID needs letters or digits."), field="tax_id")
    answers = {str(key): str(value).strip() for key, value in (icp_answers or {}).items() if str(value).strip()}
    questions = list(icp_questions(program))
    for question in questions:
        if question.required and not answers.get(str(question.pk)):
            raise ServiceError(_("Answer this question."), field=f"icp_{question.pk}")
    known = {str(question.pk) for question in questions}
    answers = {key: value for key, value in answers.items() if key in known}
    terms = current_agreement(program)
    if terms is not None and not accept_terms:
        raise ServiceError(_("Accept the program terms to apply."), field="accept_terms")
    language = language or translation.get_language() or "en"

    with transaction.atomic():
        application = Application.objects.create(
            program=program,
            company_name=company_name,
            name_normalized=normalize_company_name(company_name),
            website=website or "",
            email_domain=email_domain,
            country=country,
            regions=list(regions),
            industries=list(industries),
            company_size=company_size,
            tax_id=tax_id,
            tax_id_normalized=normalize_tax_id(tax_id),
            contact_name=" ".join((contact_name or "").split()),
            contact_email=contact_email.strip(),
            contact_phone=contact_phone,
            icp_answers=answers,
            terms_version=terms,
            language=language,
            ip=ip,
        )
        if specialties:
            application.specialties.set(specialties)
        audit_record(
            actor=actor,
            action="application.submitted",
            obj=application,
            to_state=application.status,
            ip=ip,
            data={"terms_version": terms.version if terms else None},
        )
        notify(
            to_email=application.contact_email,
            language=language,
            kind="application.received",
            dedupe_key=f"application:{application.pk}:received",
            params={"company": application.company_name, "days": program.application_review_days},
        )
        from prm.sla.services import deadline_start

        deadline_start(
            actor=actor,
            obj=application,
            kind=REVIEW_KIND,
            calendar=program.calendar,
            duration_seconds=program.application_review_days * working_seconds_per_day(program.calendar),
            reminders=REVIEW_REMINDERS,
        )
        _tell_reviewers(application, days=program.application_review_days)
    return application


def _tell_reviewers(application, *, days: int) -> None:
    """Every active channel acquisition user hears of a new application: in the bell and by email,
    each in their own language, with the link to its review page."""
    notify_many(
        [
            {
                "recipient": user,
                "kind": "application.new",
                "dedupe_key": f"application:{application.pk}:new:{user.pk}",
                "params": {"company": application.company_name, "country": application.country, "days": days},
                "url": _admin_url(application),
            }
            for user in staff_with_role(StaffRole.ACQUISITION)
        ]
    )


@transaction.atomic
def application_check_set(*, actor, application, item, checked: bool) -> ApplicationCheck | None:
    """Tick (or untick) one minimum criterion of an open application; a tick records who and when."""
    _require_reviewer(actor)
    application = _lock(application)
    if application.status != ApplicationStatus.SUBMITTED:
        raise _already_decided(application)
    if item.program_id != application.program_id or not item.is_active:
        raise ServiceError(_("This criterion is not part of the program's checklist."), field="item")
    existing = ApplicationCheck.objects.filter(application=application, item=item).first()
    if checked and existing is None:
        existing = ApplicationCheck.objects.create(application=application, item=item, checked_by=actor)
        audit_record(
            actor=actor,
            action="application.criterion_ticked",
            obj=application,
            data={"item": item.pk},
            reason=item.text_en,
        )
    elif not checked and existing is not None:
        existing.delete()
        existing = None
        audit_record(
            actor=actor,
            action="application.criterion_unticked",
            obj=application,
            data={"item": item.pk},
            reason=item.text_en,
        )
    return existing


def _split_name(full_name: str) -> tuple[str, str]:
    parts = (full_name or "").split()
    if not parts:
        return "", ""
    return parts[0][:150], " ".join(parts[1:])[:150]


@transaction.atomic
def application_approve(*, actor, application, cam=None, reason: str = "") -> Application:
    """Approve: the partner at the entry tier, its CAM, its admin's invitation and the onboarding.

    One transaction; the application row is locked first, so a second approval (a double click,
    a second reviewer) finds it decided and changes nothing.
    """
    from partners.invitations import invitation_create
    from partners.onboarding import onboarding_start
    from partners.services import partner_assign_cam

    _require_reviewer(actor)
    application = _lock(application)
    _check_transition(application, ApplicationStatus.APPROVED)
    entry_tier = Tier.objects.filter(program_id=application.program_id).order_by("rank").first()
    partner = Partner.objects.create(
        program_id=application.program_id,
        name=application.company_name,
        name_normalized=normalize_company_name(application.company_name),
        country=application.country,
        tier=entry_tier,
        website=application.website,
        email_domain=application.email_domain,
        tax_id=application.tax_id,
        tax_id_normalized=normalize_tax_id(application.tax_id),
        company_size=application.company_size,
        regions=list(application.regions),
        industries=list(application.industries),
    )
    partner.specialties.set(application.specialties.all())
    audit_record(
        actor=actor,
        action="partner.created",
        obj=partner,
        to_state="active",
        data={"application": application.pk, "tier": entry_tier.pk if entry_tier else None},
    )
    cam = cam or cam_for_country(application.country)
    if cam is not None:
        partner_assign_cam(actor=actor, partner=partner, cam=cam)
    first_name, last_name = _split_name(application.contact_name)
    with translation.override(application.language or "en"):
        invitation = invitation_create(
            actor=actor,
            partner=partner,
            email=application.contact_email,
            role=PartnerRole.ADMIN,
            first_name=first_name,
            last_name=last_name,
        )
    invited = getattr(invitation, "user", None)
    if invited is not None and not invited.language:
        type(invited).objects.filter(pk=invited.pk, language="").update(language=application.language or "")
    from_state = application.status
    application.status = ApplicationStatus.APPROVED
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.decision_reason = (reason or "").strip()
    application.partner = partner
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "decision_reason", "partner"])
    onboarding_start(partner=partner, actor=actor)
    _close_review_clock(actor=actor, application=application)
    audit_record(
        actor=actor,
        action="application.approved",
        obj=application,
        from_state=from_state,
        to_state=application.status,
        reason=application.decision_reason,
        partner_id=partner.pk,
        data={"partner": partner.pk, "cam": cam.email if cam is not None else None},
    )
    return application


@transaction.atomic
def application_reject(*, actor, application, reason: str) -> Application:
    """Reject with a reason, which the applicant receives."""
    _require_reviewer(actor)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the rejection: the applicant receives it."), field="reason")
    application = _lock(application)
    _check_transition(application, ApplicationStatus.REJECTED)
    from_state = application.status
    application.status = ApplicationStatus.REJECTED
    application.reviewed_by = actor
    application.reviewed_at = timezone.now()
    application.decision_reason = reason
    application.save(update_fields=["status", "reviewed_by", "reviewed_at", "decision_reason"])
    _close_review_clock(actor=actor, application=application)
    audit_record(
        actor=actor,
        action="application.rejected",
        obj=application,
        from_state=from_state,
        to_state=application.status,
        reason=reason,
    )
    notify(
        to_email=application.contact_email,
        language=application.language,
        kind="application.rejected",
        dedupe_key=f"application:{application.pk}:rejected",
        params={"company": application.company_name, "reason": reason},
    )
    return application
