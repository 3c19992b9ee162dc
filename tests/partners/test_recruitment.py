"""Recruitment services: submission, duplicates, the review transitions and the review clock."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from partners.models import (
    Application,
    ApplicationCheck,
    ApplicationStatus,
    CamTerritory,
    Invitation,
    Membership,
    Partner,
    Specialty,
)
from partners.recruitment import (
    REVIEW_KIND,
    application_approve,
    application_check_set,
    application_duplicates,
    application_reject,
    application_submit,
    cam_for_country,
    is_free_mail_domain,
    normalize_company_name,
    normalize_email_domain,
    normalize_tax_id,
    normalized_name_sql,
)
from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadlines_sweep
from tests.factories import (
    AgreementVersionFactory,
    ApplicationFactory,
    CriteriaItemFactory,
    IcpQuestionFactory,
    OnboardingStepFactory,
    PartnerFactory,
    ProgramFactory,
    TierFactory,
    UserFactory,
    partner_user,
    staff_user,
)


@pytest.fixture
def program(db):
    program = ProgramFactory()
    TierFactory(program=program, name="Gold", rank=3)
    TierFactory(program=program, name="Registered", rank=1)
    AgreementVersionFactory(program=program, version=1)
    return program


@pytest.fixture
def questions(program):
    return [
        IcpQuestionFactory(program=program, text_en="Which segments do you sell to?", required=True),
        IcpQuestionFactory(program=program, text_en="How many pre-sales people?", required=False),
    ]


@pytest.fixture
def reviewer(db):
    return staff_user(StaffRole.ACQUISITION)


def valid(program, questions=(), **overrides):
    data = {
        "program": program,
        "company_name": "Nimbus Tecnologia Ltda.",
        "website": "https://nimbus.example",
        "email_domain": "nimbus.example",
        "country": "BR",
        "regions": ["latam"],
        "industries": ["retail"],
        "company_size": "10-49",
        "tax_id": "12.345.678/0001-90",
        "contact_name": "Ana Maria Souza",
        "contact_email": "ana@nimbus.example",
        "contact_phone": "+55 11 91234-5678",
        "icp_answers": {str(question.pk): "Retail chains" for question in questions},
        "accept_terms": True,
        "language": "pt-br",
        "ip": "203.0.113.7",
    }
    data.update(overrides)
    return data


def submitted(program, questions=(), **overrides):
    return application_submit(**valid(program, questions, **overrides))


# --- Normalisation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("Solaris Integração Ltda.", "solaris integracao"),
        ("SOLARIS INTEGRACAO LTDA", "solaris integracao"),
        ("Solaris Integração Ltda - ME", "solaris integracao"),
        ("Lumière Solutions S.A.R.L.", "lumiere solutions"),
        ("Lumière Solutions SAS", "lumiere solutions"),
        ("Acme, Inc.", "acme"),
        ("Acme LLC", "acme"),
        ("Müller Systemhaus GmbH & Co. KG", "muller systemhaus"),
        ("Nimbus S.A.", "nimbus"),
        ("Data B.V.", "data"),
        ("Cloud S.R.L.", "cloud"),
        ("L'Atelier Numérique", "latelier numerique"),
        ("Ltda", "ltda"),
    ],
)
def test_company_names_lose_accents_punctuation_and_legal_forms(name, normalized):
    assert normalize_company_name(name) == normalized


@pytest.mark.parametrize(
    "name",
    ["Solaris Integração Ltda.", "Lumière Solutions S.A.R.L.", "Acme, Inc.", "Cloud  S.R.L.", "Nimbus-Data SA", "Ltda"],
)
def test_the_sql_normalisation_of_older_partners_agrees(db, name):
    PartnerFactory(name=name)
    assert Partner.objects.annotate(n=normalized_name_sql("name")).get(name=name).n == normalize_company_name(name)


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("12.345.678/0001-90", "12345678000190"),
        ("12345678000190", "12345678000190"),
        ("fr 12 345678901", "FR12345678901"),
        ("DE-123.456.789", "DE123456789"),
    ],
)
def test_tax_ids_keep_letters_and_digits_in_upper_case(value, normalized):
    assert normalize_tax_id(value) == normalized


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "GMX.de", "gmx.net", "yahoo.com.br", "hotmail.fr", "outlook.com", "proton.me", "uol.com.br"],
)
def test_free_mail_domains_are_recognised(domain):
    assert is_free_mail_domain(domain)


def test_company_domains_are_not_free_mail_and_are_normalised():
    assert not is_free_mail_domain("solaris.example")
    assert normalize_email_domain("https://www.Solaris.example/contact") == "solaris.example"
    assert normalize_email_domain("ana@Solaris.example") == "solaris.example"


# --- Submission -----------------------------------------------------------------------------


def test_submit_stores_audits_confirms_and_starts_the_review_clock(program, questions):
    specialty = Specialty.objects.create(name_en="Security")
    application = submitted(program, questions, specialties=[specialty])

    assert application.status == ApplicationStatus.SUBMITTED
    assert application.name_normalized == "nimbus tecnologia"
    assert application.tax_id_normalized == "12345678000190"
    assert application.terms_version.version == 1
    assert (application.language, application.ip) == ("pt-br", "203.0.113.7")
    assert application.icp_answers == {str(questions[0].pk): "Retail chains", str(questions[1].pk): "Retail chains"}
    assert list(application.specialties.all()) == [specialty]
    event = AuditEvent.objects.get(action="application.submitted")
    assert (event.object_id, event.to_state, event.ip) == (str(application.pk), "submitted", "203.0.113.7")

    notification = Notification.objects.get(kind="application.received")
    assert (notification.recipient, notification.to_email, notification.language) == (
        None,
        "ana@nimbus.example",
        "pt-br",
    )
    assert "Nimbus Tecnologia Ltda." in notification.subject()

    deadline = Deadline.objects.get(kind=REVIEW_KIND)
    assert deadline.target == application
    assert deadline.state == DeadlineState.OPEN
    assert deadline.duration_seconds == 5 * 9 * 3600  # five business days of 09:00-18:00
    assert deadline.reminder_fractions == [0.5, 0.8]


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"email_domain": "gmail.com"}, "email_domain"),
        ({"email_domain": "not a domain"}, "email_domain"),
        ({"country": "ZZ"}, "country"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"contact_email": "ana-at-nimbus"}, "contact_email"),
        ({"accept_terms": False}, "accept_terms"),
        ({"tax_id": "./-"}, "tax_id"),
        ({"company_name": " ... "}, "company_name"),
    ],
)
def test_submit_refuses_a_bad_field_and_stores_nothing(program, questions, override, field):
    with pytest.raises(ServiceError) as error:
        submitted(program, questions, **override)
    assert error.value.field == field
    assert not Application.objects.exists()
    assert not Notification.objects.exists()
    assert not Deadline.objects.exists()


def test_submit_requires_the_answers_to_required_questions_only(program, questions):
    with pytest.raises(ServiceError) as error:
        submitted(program, questions, icp_answers={str(questions[1].pk): "Two"})
    assert error.value.field == f"icp_{questions[0].pk}"
    application = submitted(program, questions, icp_answers={str(questions[0].pk): "Banks", "999999": "ignored"})
    assert application.icp_answers == {str(questions[0].pk): "Banks"}


# --- Duplicates -----------------------------------------------------------------------------


def kinds(matches):
    return {(type(match.target).__name__, match.target.pk, match.kind) for match in matches}


def test_same_company_email_domain_matches_a_partner_and_its_members(program):
    by_profile = PartnerFactory(program=program, name="Alpha", email_domain="nimbus.example")
    by_member = PartnerFactory(program=program, name="Beta")
    partner_user(by_member, email="bruno@Nimbus.example")
    PartnerFactory(program=program, name="Gamma", email_domain="other.example")
    application = ApplicationFactory(program=program, company_name="Zeta", email_domain="nimbus.example")

    matches = application_duplicates(application)
    assert kinds(matches) == {("Partner", by_profile.pk, "email_domain"), ("Partner", by_member.pk, "email_domain")}
    assert {match.score for match in matches} == {1.0}


def test_free_mail_domains_never_count_as_the_same_company(program):
    partner = PartnerFactory(program=program, name="Alpha", email_domain="gmail.com")
    partner_user(partner, email="someone@gmail.com")
    ApplicationFactory(program=program, company_name="Beta", email_domain="gmail.com")
    application = ApplicationFactory(program=program, company_name="Zeta", email_domain="gmail.com")
    assert application_duplicates(application) == []


def test_the_same_tax_id_in_another_format_matches(program):
    kept = PartnerFactory(
        program=program, name="Alpha", tax_id="12.345.678/0001-90", tax_id_normalized="12345678000190"
    )
    older = PartnerFactory(program=program, name="Beta", tax_id="12345678/0001-90")  # normalised form not stored
    other = ApplicationFactory(program=program, company_name="Gamma", tax_id="12 345 678 0001 90")
    application = ApplicationFactory(program=program, company_name="Zeta", tax_id="12345678000190")

    assert kinds(application_duplicates(application)) == {
        ("Partner", kept.pk, "tax_id"),
        ("Partner", older.pk, "tax_id"),
        ("Application", other.pk, "tax_id"),
    }


def test_names_match_despite_accents_and_legal_forms(program):
    older = PartnerFactory(program=program, name="Solaris Integração Ltda")  # like the demo partners
    kept = PartnerFactory(program=program, name="Lumière Solutions SARL", name_normalized="lumiere solutions")
    open_one = ApplicationFactory(program=program, company_name="Solaris Integracoes S.A.")
    ApplicationFactory(program=program, company_name="Solaris Integração", status=ApplicationStatus.REJECTED)
    PartnerFactory(program=program, name="Completely Different Systems")

    application = ApplicationFactory(program=program, company_name="SOLARIS INTEGRACAO EIRELI")
    matches = {(type(m.target).__name__, m.target.pk): m for m in application_duplicates(application)}
    assert set(matches) == {("Partner", older.pk), ("Application", open_one.pk)}
    assert matches[("Partner", older.pk)].score == 1.0
    assert 0.4 <= matches[("Application", open_one.pk)].score < 1.0
    assert all(match.kind == "name" for match in matches.values())

    french = ApplicationFactory(program=program, company_name="Lumiere Solutions S.A.S.")
    assert kinds(application_duplicates(french)) == {("Partner", kept.pk, "name")}


def test_an_approved_application_does_not_match_its_own_partner(program, reviewer):
    application = ApplicationFactory(program=program, company_name="Nimbus", email_domain="nimbus.example")
    application_approve(actor=reviewer, application=application)
    application.refresh_from_db()
    assert application_duplicates(application) == []


# --- Review: checklist ------------------------------------------------------------------------


def test_ticking_a_criterion_records_who_and_when_and_unticking_removes_it(program, reviewer):
    item = CriteriaItemFactory(program=program)
    application = ApplicationFactory(program=program)
    check = application_check_set(actor=reviewer, application=application, item=item, checked=True)
    assert (check.checked_by, check.item) == (reviewer, item)
    assert check.checked_at is not None
    assert application_check_set(actor=reviewer, application=application, item=item, checked=True) == check
    assert application_check_set(actor=reviewer, application=application, item=item, checked=False) is None
    assert not ApplicationCheck.objects.exists()
    assert list(
        AuditEvent.objects.filter(action__startswith="application.criterion")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["application.criterion_ticked", "application.criterion_unticked"]


def test_the_checklist_is_closed_after_the_decision_and_limited_to_the_program(program, reviewer):
    application = ApplicationFactory(program=program)
    foreign = CriteriaItemFactory(program=ProgramFactory(slug="other-program"))
    with pytest.raises(ServiceError):
        application_check_set(actor=reviewer, application=application, item=foreign, checked=True)
    application_reject(actor=reviewer, application=application, reason="Outside our markets.")
    with pytest.raises(ServiceError):
        application_check_set(
            actor=reviewer, application=application, item=CriteriaItemFactory(program=program), checked=True
        )
    assert not ApplicationCheck.objects.exists()


# --- Review: approve and reject ---------------------------------------------------------------


@pytest.fixture
def cams(db):
    """Two CAMs covering Brazil; the first already looks after one partner."""
    first = staff_user(StaffRole.CAM)
    second = staff_user(StaffRole.CAM)
    for cam in (first, second):
        CamTerritory.objects.create(cam=cam, country="BR")
    from guardian.shortcuts import assign_perm

    assign_perm("partners.manage_partner", first, PartnerFactory(name="Existing"))
    return first, second


def test_approve_creates_the_partner_assigns_a_cam_invites_its_admin_and_starts_onboarding(program, reviewer, cams):
    specialty = Specialty.objects.create(name_en="Cloud")
    OnboardingStepFactory(program=program, kind="manual")
    application = ApplicationFactory(
        program=program,
        company_name="Nimbus Tecnologia Ltda",
        email_domain="nimbus.example",
        tax_id="12.345.678/0001-90",
        regions=["latam", "europe"],
        industries=["retail"],
        website="https://nimbus.example",
        contact_name="Ana Maria Souza",
        language="pt-br",
    )
    application.specialties.add(specialty)
    from prm.sla.services import deadline_start

    deadline_start(actor=None, obj=application, kind=REVIEW_KIND, calendar=program.calendar, duration_seconds=3600 * 45)

    approved = application_approve(actor=reviewer, application=application, reason="Strong retail focus.")

    assert approved.status == ApplicationStatus.APPROVED
    assert (approved.reviewed_by, approved.decision_reason) == (reviewer, "Strong retail focus.")
    partner = approved.partner
    assert partner.tier.name == "Registered"
    assert (partner.name, partner.name_normalized, partner.country) == (
        "Nimbus Tecnologia Ltda",
        "nimbus tecnologia",
        "BR",
    )
    assert (partner.email_domain, partner.tax_id_normalized, partner.website) == (
        "nimbus.example",
        "12345678000190",
        "https://nimbus.example",
    )
    assert (partner.regions, partner.industries, partner.company_size) == (["latam", "europe"], ["retail"], "10-49")
    assert list(partner.specialties.all()) == [specialty]

    from partners.selectors import partner_cams

    assert list(partner_cams(partner)) == [cams[1]]  # the covering CAM with fewer partners

    membership = Membership.objects.get(partner=partner)
    assert (membership.user.email, membership.role) == (application.contact_email, "admin")
    assert (membership.user.first_name, membership.user.last_name) == ("Ana", "Maria Souza")
    assert membership.user.language == "pt-br"
    assert Invitation.objects.filter(partner=partner, user=membership.user, role="admin").exists()
    assert Notification.objects.filter(to_email=application.contact_email, kind="partner.invitation").exists()
    assert AuditEvent.objects.filter(action="onboarding.started", object_id=str(partner.pk)).exists()
    assert Deadline.objects.filter(kind="onboarding.stall", partner_id=partner.pk, state="open").exists()

    assert Deadline.objects.get(kind=REVIEW_KIND).state == DeadlineState.MET
    event = AuditEvent.objects.get(action="application.approved")
    assert (event.from_state, event.to_state, event.partner_id) == ("submitted", "approved", partner.pk)
    assert AuditEvent.objects.filter(action="partner.created", object_id=str(partner.pk)).exists()


def test_approve_with_the_reviewers_choice_of_cam(program, reviewer, cams):
    application = ApplicationFactory(program=program)
    approved = application_approve(actor=reviewer, application=application, cam=cams[0])
    from partners.selectors import partner_cams

    assert list(partner_cams(approved.partner)) == [cams[0]]


def test_round_robin_breaks_ties_by_id_and_skips_inactive_cams(db):
    first, second = staff_user(StaffRole.CAM), staff_user(StaffRole.CAM)
    for cam in (second, first):
        CamTerritory.objects.create(cam=cam, country="FR")
    assert cam_for_country("fr") == first
    type(first).objects.filter(pk=first.pk).update(is_active=False)
    assert cam_for_country("FR") == second
    assert cam_for_country("DE") is None


def test_approve_without_a_covering_cam_leaves_the_partner_without_one(program, reviewer):
    application = ApplicationFactory(program=program, country="DE")
    approved = application_approve(actor=reviewer, application=application)
    from partners.selectors import partner_cams

    assert list(partner_cams(approved.partner)) == []


def test_approving_twice_is_refused_and_creates_one_partner(program, reviewer):
    application = ApplicationFactory(program=program)
    application_approve(actor=reviewer, application=application)
    with pytest.raises(ServiceError):
        application_approve(actor=reviewer, application=application)
    assert Partner.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.approved").count() == 1


def test_rejecting_an_approved_application_is_refused(program, reviewer):
    application = ApplicationFactory(program=program)
    application_approve(actor=reviewer, application=application)
    with pytest.raises(ServiceError):
        application_reject(actor=reviewer, application=application, reason="Changed my mind.")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert not Notification.objects.filter(kind="application.rejected").exists()


def test_approving_a_rejected_application_is_refused(program, reviewer):
    application = ApplicationFactory(program=program)
    application_reject(actor=reviewer, application=application, reason="No presence in our markets.")
    with pytest.raises(ServiceError):
        application_approve(actor=reviewer, application=application)
    with pytest.raises(ServiceError):
        application_reject(actor=reviewer, application=application, reason="Again.")
    assert not Partner.objects.exists()
    assert Notification.objects.filter(kind="application.rejected").count() == 1


def test_reject_needs_a_reason(program, reviewer):
    application = ApplicationFactory(program=program)
    with pytest.raises(ServiceError) as error:
        application_reject(actor=reviewer, application=application, reason="   ")
    assert error.value.field == "reason"
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not AuditEvent.objects.filter(action="application.rejected").exists()


def test_reject_tells_the_applicant_why_in_their_language_and_closes_the_clock(program, questions, reviewer):
    application = submitted(program, questions, language="fr")
    application_reject(actor=reviewer, application=application, reason="Nous ne couvrons pas votre région.")
    application.refresh_from_db()
    assert (application.status, application.reviewed_by, application.decision_reason) == (
        "rejected",
        reviewer,
        "Nous ne couvrons pas votre région.",
    )
    notification = Notification.objects.get(kind="application.rejected")
    assert (notification.to_email, notification.language) == ("ana@nimbus.example", "fr")
    assert "Nous ne couvrons pas votre région." in notification.body()
    assert Deadline.objects.get(kind=REVIEW_KIND).state == DeadlineState.MET
    event = AuditEvent.objects.get(action="application.rejected")
    assert (event.from_state, event.to_state, event.reason) == ("submitted", "rejected", application.decision_reason)


@pytest.mark.parametrize("role", [StaffRole.CAM, StaffRole.EXECUTIVE, StaffRole.MARKETING])
def test_only_reviewers_may_decide(program, role):
    application = ApplicationFactory(program=program)
    someone = staff_user(role)
    with pytest.raises(PermissionDenied):
        application_approve(actor=someone, application=application)
    with pytest.raises(PermissionDenied):
        application_reject(actor=someone, application=application, reason="No.")
    with pytest.raises(PermissionDenied):
        application_check_set(
            actor=someone, application=application, item=CriteriaItemFactory(program=program), checked=True
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_channel_manager_may_review(program):
    application = ApplicationFactory(program=program)
    manager = staff_user(StaffRole.CHANNEL_MANAGER)
    assert application_approve(actor=manager, application=application).status == ApplicationStatus.APPROVED


def test_an_approval_that_cannot_invite_the_contact_changes_nothing(program, reviewer):
    staff = staff_user(StaffRole.MARKETING)
    application = ApplicationFactory(program=program, contact_email=staff.email)
    with pytest.raises(ServiceError):
        application_approve(actor=reviewer, application=application)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not Partner.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["application.approved", "partner.created"]).exists()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_create_one_partner():
    from prm.roles import ensure_staff_groups

    ensure_staff_groups()
    program = ProgramFactory()
    TierFactory(program=program, rank=1)
    application = ApplicationFactory(program=program)
    reviewers = [staff_user(StaffRole.ACQUISITION), staff_user(StaffRole.CHANNEL_MANAGER)]
    barrier = threading.Barrier(2)
    outcomes = []

    def approve(reviewer):
        try:
            barrier.wait(timeout=10)
            application_approve(actor=reviewer, application=Application.objects.get(pk=application.pk))
            outcomes.append("approved")
        except ServiceError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(reviewer,)) for reviewer in reviewers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "refused"]
    assert Partner.objects.count() == 1
    assert Membership.objects.count() == 1
    assert AuditEvent.objects.filter(action="application.approved").count() == 1


# --- The review clock -------------------------------------------------------------------------


def test_review_reminders_go_to_acquisition_and_the_breach_to_the_channel_managers(program, questions):
    acquisition = [staff_user(StaffRole.ACQUISITION), staff_user(StaffRole.ACQUISITION)]
    staff_user(StaffRole.ACQUISITION, is_active=False)
    managers = [staff_user(StaffRole.CHANNEL_MANAGER)]
    staff_user(StaffRole.CAM)
    UserFactory()
    application = submitted(program, questions)
    deadline = Deadline.objects.get(kind=REVIEW_KIND)

    first_reminder = deadline.next_fire_at
    assert deadlines_sweep(now=first_reminder - datetime.timedelta(seconds=1)).handled == 0
    assert deadlines_sweep(now=first_reminder).reminders == 1
    reminders = Notification.objects.filter(kind="application.review_reminder")
    assert {n.recipient for n in reminders} == set(acquisition)
    assert all(n.url == f"/admin/partners/application/{application.pk}/change/" for n in reminders)
    assert "50%" in reminders.first().body()
    assert not Notification.objects.filter(kind="application.review_overdue").exists()

    deadline.refresh_from_db()
    assert deadlines_sweep(now=deadline.next_fire_at).reminders == 1  # 80 %
    assert Notification.objects.filter(kind="application.review_reminder").count() == 4
    deadline.refresh_from_db()
    result = deadlines_sweep(now=deadline.due_at)
    assert (result.reminders, result.breaches) == (0, 1)
    overdue = Notification.objects.filter(kind="application.review_overdue")
    assert {n.recipient for n in overdue} == set(managers)
    assert "Nimbus Tecnologia Ltda." in overdue.get().subject()
    deadline.refresh_from_db()
    assert deadline.state == DeadlineState.BREACHED

    assert deadlines_sweep(now=deadline.due_at + datetime.timedelta(days=30)).handled == 0
    assert Notification.objects.filter(kind__startswith="application.review").count() == 5


def test_a_decided_application_gets_no_more_reminders(program, questions, reviewer):
    application = submitted(program, questions)
    application_reject(actor=reviewer, application=application, reason="Outside our markets.")
    assert deadlines_sweep(now=timezone.now() + datetime.timedelta(days=60)).handled == 0
    assert not Notification.objects.filter(kind__startswith="application.review").exists()
