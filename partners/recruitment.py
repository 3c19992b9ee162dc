"""Recruitment: applications to the partner program, their duplicates and their review.

- Company identity (normalised name, tax ID and e-mail domain, ``prm.identity``) finds duplicates;
  countries come from ``prm.countries``.
- ``application_submit``: stores an application, tells the applicant it arrived and starts the
  review clock (SLA kind ``application.review``: reminders to channel acquisition, escalation to
  the channel managers on breach).
- ``application_duplicates``: existing partners and open applications with the same company
  email domain (never a free-mail domain), the same tax ID or a similar name (pg_trgm).
- ``application_check_set``, ``application_approve``, ``application_reject``: the review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import EmailValidator
from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from prm.audit.services import audit_record
from prm.client_ip import ClientIpIdent
from prm.countries import COUNTRIES, country_name
from prm.errors import ServiceError
from prm.identity import (
    Identity,
    IdentityMatch,
    identity_matches,
    is_free_mail_domain,
    normalize_company_name,
    normalize_email_domain,
    normalize_tax_id,
    normalized_name_sql,
    normalized_tax_id_sql,
    trigram_threshold,
)
from prm.notifications.services import notify, notify_many
from prm.sla.calendar import working_seconds_per_day
from prm.sla.models import ACTIVE_STATES, Deadline
from prm.tenancy import cam_grants
from prm.workflow import check_transition, lock_or_error

from .models import (
    APPLICATION_TRANSITIONS,
    Application,
    ApplicationCheck,
    ApplicationStatus,
    CamTerritory,
    CriteriaItem,
    IcpQuestion,
    Partner,
    PartnerRole,
    Tier,
)
from .onboarding import current_agreement
from .roles import StaffRole

REVIEW_KIND = "application.review"
REVIEW_REMINDERS = (0.5, 0.8)
SIMILAR_NAME_THRESHOLD = 0.4

# --- Email domains -----------------------------------------------------------------------------

_DOMAIN = re.compile(r"^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$")


def validate_email_domain(value: str) -> str:
    """The normalised company email domain; ValidationError when it is none, or a free-mail one."""
    domain = normalize_email_domain(value)
    if not _DOMAIN.match(domain):
        raise ValidationError(_("Enter your company's email domain, such as example.com."), code="invalid_domain")
    if is_free_mail_domain(domain):
        raise ValidationError(
            _("%(domain)s is a free email service. Enter the email domain of your company."),
            code="free_mail",
            params={"domain": domain},
        )
    return domain


_PHONE = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:ext\.?|x|#)\s*[0-9]{1,6})?$", re.IGNORECASE)


def validate_phone(value: str) -> str:
    text = " ".join((value or "").split())
    main = re.split(r"(?i)\s*(?:ext\.?|x|#)\s*[0-9]", text, maxsplit=1)[0]
    digits = sum(ch.isdigit() for ch in main)
    if not _PHONE.match(text) or not 7 <= digits <= 15:
        raise ValidationError(
            _("Enter a phone number of 7 to 15 digits, for example +55 11 91234-5678."), code="invalid_phone"
        )
    return text


# --- Rate limit ----------------------------------------------------------------------------------

DEFAULT_APPLICATION_RATE = "10/hour"


class ApplicationRateThrottle(ClientIpIdent, SimpleRateThrottle):
    """Submissions of applications per client IP, shared by the /apply/ form and the API.

    The rate is REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["applications"], 10 an hour by default.
    """

    scope = "applications"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or DEFAULT_APPLICATION_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


# --- Reads ---------------------------------------------------------------------------------------


def icp_questions(program):
    return IcpQuestion.objects.filter(program=program, is_active=True).order_by("order", "id")


def application_answers(application) -> list[tuple[str, str]]:
    """(question text in the active language, answer) pairs of an application, in the questions' order."""
    answers = application.icp_answers or {}
    questions = IcpQuestion.objects.in_bulk([int(key) for key in answers if str(key).isdigit()])
    rows = []
    for key, answer in answers.items():
        question = questions.get(int(key)) if str(key).isdigit() else None
        if question is None:
            rows.append(((1, 0, 0), str(_("(question removed)")), answer))
        else:
            rows.append(((0, question.order, question.pk), question.tr("text"), answer))
    return [(text, answer) for _order, text, answer in sorted(rows, key=lambda row: row[0])]


def application_checklist(application) -> list[dict]:
    """The program's active minimum criteria with who ticked each one and when."""
    checks = {check.item_id: check for check in application.checks.select_related("checked_by")}
    return [
        {"item": item, "check": checks.get(item.pk)}
        for item in CriteriaItem.objects.filter(program_id=application.program_id, is_active=True).order_by(
            "order", "id"
        )
    ]


def review_deadline(application) -> Deadline | None:
    return Deadline.objects.for_object(application, REVIEW_KIND).order_by("-started_at", "-pk").first()


def staff_with_role(role: str):
    return get_user_model().objects.filter(is_active=True, is_staff=True, groups__name=role).distinct().order_by("pk")


def cam_choices():
    """Channel account managers a reviewer may assign to a new partner."""
    return staff_with_role(StaffRole.CAM).order_by("first_name", "last_name", "email")


def cam_for_country(country: str):
    """Round-robin: among the active CAMs covering the country, the one with the fewest partners (ties: lowest id)."""
    assigned = (
        cam_grants()
        .filter(user=OuterRef("pk"), content_object__is_active=True)
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    covering = CamTerritory.objects.filter(country=(country or "").upper()).values("cam_id")
    return (
        staff_with_role(StaffRole.CAM)
        .filter(pk__in=covering)
        .annotate(load=Coalesce(Subquery(assigned, output_field=IntegerField()), 0))
        .order_by("load", "pk")
        .first()
    )


# --- Duplicate detection -----------------------------------------------------------------------


@dataclass(frozen=True)
class DuplicateMatch(IdentityMatch):
    @property
    def is_partner(self) -> bool:
        return isinstance(self.target, Partner)


def application_duplicates(application) -> list[DuplicateMatch]:
    """Existing partners and other open applications that may be the same company.

    Same company email domain (never a free-mail one: those say nothing about the company),
    same normalised tax ID, or a normalised name with a trigram similarity of 0.4 or more
    (``prm.identity.identity_matches``). Highest scores first; partners before applications on a tie.
    """
    identity = Identity.of(
        name=application.company_name,
        name_normalized=application.name_normalized,
        tax_id=application.tax_id,
        tax_id_normalized=application.tax_id_normalized,
        domain=application.email_domain,
    )
    partners = Partner.objects.annotate(
        norm_name=Coalesce(NullIf(F("name_normalized"), Value("")), normalized_name_sql("name")),
        norm_tax=Coalesce(NullIf(F("tax_id_normalized"), Value("")), normalized_tax_id_sql("tax_id")),
    )
    if identity.domain:
        from .models import Membership

        partners = partners.annotate(
            member_domain=Exists(
                Membership.objects.filter(partner=OuterRef("pk"), user__email__iendswith=f"@{identity.domain}")
            )
        )
    if application.partner_id:
        partners = partners.exclude(pk=application.partner_id)
    applications = Application.objects.filter(status=ApplicationStatus.SUBMITTED).exclude(pk=application.pk)

    with trigram_threshold(SIMILAR_NAME_THRESHOLD):
        rows = identity_matches(
            partners,
            identity,
            name_field="norm_name",
            tax_field="norm_tax",
            domain=lambda domain: Q(email_domain__iexact=domain) | Q(member_domain=True),
            threshold=SIMILAR_NAME_THRESHOLD,
        ) + identity_matches(
            applications,
            identity,
            name_field="name_normalized",
            tax_field="tax_id_normalized",
            domain="email_domain__iexact",
            threshold=SIMILAR_NAME_THRESHOLD,
        )
    matches = [DuplicateMatch(kind, score, target) for kind, score, target in rows]
    return sorted(matches, key=lambda match: (-match.score, not match.is_partner, match.kind, match.target.pk))


# --- Writes ------------------------------------------------------------------------------------


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


# --- The review clock ----------------------------------------------------------------------


def _open_application(deadline) -> Application | None:
    if deadline.content_type_id != ContentType.objects.get_for_model(Application).pk:
        return None
    return Application.objects.filter(pk=deadline.object_id, status=ApplicationStatus.SUBMITTED).first()


def _admin_url(application) -> str:
    return reverse("admin:partners_application_change", args=[application.pk])


def review_reminder(deadline, fraction) -> None:
    """Part of the review time has passed: every active channel acquisition user hears of it."""
    application = _open_application(deadline)
    if application is None:
        return
    for user in staff_with_role(StaffRole.ACQUISITION):
        notify(
            recipient=user,
            kind="application.review_reminder",
            dedupe_key=f"deadline:{deadline.pk}:reminder:{fraction}:{user.pk}",
            params={"company": application.company_name, "percent": round(float(fraction) * 100)},
            url=_admin_url(application),
        )


def review_breach(deadline) -> None:
    """The review time ran out: the channel managers are told (escalation)."""
    application = _open_application(deadline)
    if application is None:
        return
    for user in staff_with_role(StaffRole.CHANNEL_MANAGER):
        notify(
            recipient=user,
            kind="application.review_overdue",
            dedupe_key=f"deadline:{deadline.pk}:breach:{user.pk}",
            params={"company": application.company_name},
            url=_admin_url(application),
        )


def register() -> None:
    """Notification kinds and SLA handlers of recruitment; called from PartnersConfig.ready()."""
    from prm.notifications.kinds import register_kind
    from prm.sla.registry import register_handler

    register_kind(
        "application.received",
        label=_("My application to the partner program arrived"),
        subject=_("We received your application, {company}"),
        body=_(
            "Thank you for applying to our partner program. Our channel team reviews every "
            "application within {days} business days and will write to you at this address."
        ),
    )
    register_kind(
        "application.rejected",
        label=_("A decision on my application to the partner program"),
        subject=_("Your application to the partner program, {company}"),
        body=_(
            "Thank you for your interest in our partner program. After review, we cannot accept "
            "your application at this time.\n\nReason: {reason}"
        ),
    )
    register_kind(
        "application.new",
        label=_("A new application to the partner program"),
        subject=_("New application to the partner program: {company}"),
        body=_(
            "{company} ({country}) applied to the partner program. Review it within {days} business days: "
            "tick the minimum criteria, then approve or reject it."
        ),
        prepare=lambda params: {**params, "country": country_name(params.get("country", ""))},
    )
    register_kind(
        "application.review_reminder",
        label=_("An application awaits review"),
        subject=_("Application from {company} awaits review"),
        # xgettext:no-python-format
        body=_("{percent}% of the review time of the application from {company} has passed. Approve or reject it."),
    )
    register_kind(
        "application.review_overdue",
        label=_("An application was not reviewed in time"),
        subject=_("Overdue: application from {company}"),
        body=_("The review time of the application from {company} has run out and it is still undecided."),
    )
    register_handler(REVIEW_KIND, on_reminder=review_reminder, on_breach=review_breach)
