"""The public program page, the /apply/ form and POST /api/v1/applications/."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import AgreementAcceptance, Application, Specialty
from partners.recruitment import ApplicationRateThrottle
from prm.audit.models import AuditEvent
from prm.notifications.models import Notification
from prm.sla.models import Deadline
from tests.factories import (
    AgreementVersionFactory,
    IcpQuestionFactory,
    PartnerFactory,
    ProgramFactory,
    ProgramPageFactory,
    TierFactory,
    partner_user,
)


@pytest.fixture
def program(db):
    program = ProgramFactory()
    ProgramPageFactory(
        program=program,
        headline_en="Grow with us",
        headline_fr="",
        mission_en="Together we serve customers well.",
        mission_fr="Ensemble, nous servons bien nos clients.",
    )
    TierFactory(
        program=program,
        rank=1,
        name="Registered",
        name_fr="Enregistré",
        deal_discount_percent=5,
        benefits_en="Access to the partner portal.",
    )
    TierFactory(
        program=program,
        rank=2,
        name="Gold",
        name_fr="",
        requirements={"deals.won_revenue": 500_000, "partners.certified_people": 5, "deals.approved": 15},
        deal_discount_percent=15,
        mdf_eligible=True,
        lead_weight=4,
    )
    AgreementVersionFactory(program=program, version=3, text_en="The terms of the program.")
    return program


@pytest.fixture
def question(program):
    return IcpQuestionFactory(program=program, text_en="Which segments do you sell to?", required=True)


def form_data(question=None, **overrides):
    data = {
        "company_name": "Nimbus Tecnologia Ltda.",
        "website": "https://nimbus.example",
        "email_domain": "nimbus.example",
        "country": "BR",
        "regions": ["latam"],
        "industries": ["retail"],
        "company_size": "10-49",
        "tax_id": "12.345.678/0001-90",
        "contact_name": "Ana Souza",
        "contact_email": "ana@nimbus.example",
        "contact_phone": "+55 11 91234-5678",
        "accept_terms": "on",
        "homepage": "",
    }
    if question is not None:
        data[f"icp_{question.pk}"] = "Retail chains"
    data.update(overrides)
    return data


def nothing_stored():
    return not (
        Application.objects.exists()
        or Notification.objects.exists()
        or Deadline.objects.exists()
        or AuditEvent.objects.filter(action="application.submitted").exists()
    )


# --- The program page ---------------------------------------------------------------------------


def test_anonymous_visitors_read_the_program_page_at_the_root(client, program):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert re.search(r"<title>Grow with us · ", html)
    assert '<meta name="description" content="Together we serve customers well.">' in html
    for text in (
        "Together we serve customers well.",
        "Deal protection, leads and funds.",
        "Welcome to the program.",
        "Eva Executive",
        "Registered",
        "Gold",
        "USD 500,000 won revenue in the last 12 months",
        "5 certified people",
        "15 approved deal registrations",
        "15% discount on registered deals",
        "5% discount on registered deals",
        "Eligible for market development funds",
        "Not eligible for market development funds",
        "Lead distribution weight: 4",
        "Access to the partner portal.",
        "No requirement: every approved partner starts here.",
    ):
        assert text in html, text
    assert f'href="{reverse("apply")}"' in html
    assert f'href="{reverse("account_login")}"' in html


def test_the_program_page_in_french_falls_back_to_english_where_a_translation_is_empty(client, program):
    client.cookies["django_language"] = "fr"
    html = client.get("/").content.decode()
    assert '<html lang="fr">' in html
    assert "Ensemble, nous servons bien nos clients." in html
    assert "Together we serve customers well." not in html
    assert "Grow with us" in html  # no French headline
    assert "Enregistré" in html
    assert "Gold" in html  # no French tier name


def test_the_program_page_costs_a_constant_small_number_of_queries(client, program):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    few = count()
    for rank in range(3, 9):
        TierFactory(program=program, rank=rank)
    assert count() == few <= 3


def test_without_a_program_page_visitors_see_an_empty_state(client, db):
    html = client.get("/").content.decode()
    assert "The partner program page is being prepared." in html
    assert reverse("account_login") in html


def test_signed_in_users_keep_their_home_at_the_root(client, program):
    partner = PartnerFactory(program=program, name="Acme Partner")
    user = partner_user(partner)
    AgreementAcceptance.objects.create(partner=partner, version=program.agreement_versions.get(), user=user)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "Welcome, Acme Partner" in html
    assert "Together we serve customers well." not in html


# --- The form -------------------------------------------------------------------------------


def test_the_form_shows_questions_specialties_and_the_current_terms(client, program, question):
    Specialty.objects.create(name_en="Security", name_fr="Sécurité")
    Specialty.objects.create(name_en="Retired", is_active=False)
    client.cookies["django_language"] = "fr"
    html = client.get(reverse("apply")).content.decode()
    assert "Which segments do you sell to?" in html
    assert "Sécurité" in html
    assert "Retired" not in html
    assert "Contrat de partenariat, version 3." in html  # the published terms, in French
    assert 'name="homepage"' in html
    assert 'value="BR"' in html


def test_a_valid_application_is_stored_confirmed_and_thanked(client, program, question):
    client.cookies["django_language"] = "fr"
    response = client.post(reverse("apply"), form_data(question))
    assert response.status_code == 302
    assert response["Location"] == reverse("apply_thanks")
    application = Application.objects.get()
    assert (application.company_name, application.language, application.ip) == (
        "Nimbus Tecnologia Ltda.",
        "fr",
        "127.0.0.1",
    )
    assert application.icp_answers == {str(question.pk): "Retail chains"}
    assert application.terms_version.version == 3
    notification = Notification.objects.get(kind="application.received")
    assert (notification.to_email, notification.language) == ("ana@nimbus.example", "fr")
    assert client.get(response["Location"]).status_code == 200


def test_the_applicant_is_not_told_about_a_similar_company(client, program, question):
    PartnerFactory(program=program, name="Nimbus Tecnologia", email_domain="nimbus.example")
    response = client.post(reverse("apply"), form_data(question))
    assert response["Location"] == reverse("apply_thanks")
    html = client.get(response["Location"]).content.decode()
    assert "Nimbus" not in html


@pytest.mark.parametrize(
    ("override", "field", "message"),
    [
        ({"email_domain": "gmail.com"}, "email_domain", "gmail.com is a free email service."),
        ({"email_domain": "gmx.de"}, "email_domain", "gmx.de is a free email service."),
        ({"email_domain": "nimbus"}, "email_domain", "Enter your company's email domain, such as example.com."),
        ({"contact_email": "ana"}, "contact_email", "Enter a valid email address."),
        ({"contact_phone": "12"}, "contact_phone", "Enter a phone number of 7 to 15 digits"),
        ({"website": "http://"}, "website", "Enter a valid URL."),
        ({"country": "ZZ"}, "country", "Choose your country from the list."),
        ({"regions": []}, "regions", "This field is required."),
        ({"accept_terms": ""}, "accept_terms", "Accept the program terms to apply."),
        ({"company_name": ""}, "company_name", "Enter the name of your company."),
        ({"tax_id": "--"}, "tax_id", "A tax ID needs letters or digits."),
    ],
)
def test_each_bad_field_gets_its_own_error_and_nothing_is_stored(client, program, question, override, field, message):
    response = client.post(reverse("apply"), form_data(question, **override))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in response.content.decode().replace("&#x27;", "'")
    assert nothing_stored()


def test_a_required_question_must_be_answered(client, program, question):
    IcpQuestionFactory(program=program, text_en="Optional?", required=False)
    response = client.post(reverse("apply"), form_data(question, **{f"icp_{question.pk}": ""}))
    assert response.status_code == 400
    assert response.context["form"].errors == {f"icp_{question.pk}": ["Answer this question."]}
    assert nothing_stored()


def test_a_filled_honeypot_is_refused_generically_and_stores_nothing(client, program, question):
    response = client.post(reverse("apply"), form_data(question, homepage="http://spam.example"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Your application could not be submitted." in html
    assert "homepage" not in response.context["form"].errors
    assert nothing_stored()


def test_too_many_submissions_from_one_ip_are_refused_and_store_nothing(client, program, question, monkeypatch):
    monkeypatch.setattr(ApplicationRateThrottle, "rate", "2/hour", raising=False)
    for name in ("First Company", "Second Company"):
        assert client.post(reverse("apply"), form_data(question, company_name=name)).status_code == 302
    response = client.post(reverse("apply"), form_data(question, company_name="Third Company"))
    assert response.status_code == 429
    assert "Too many applications were sent from your network." in response.content.decode()
    assert sorted(Application.objects.values_list("company_name", flat=True)) == ["First Company", "Second Company"]
    other_ip = client.post(
        reverse("apply"), form_data(question, company_name="Fourth Company"), REMOTE_ADDR="198.51.100.9"
    )
    assert other_ip.status_code == 302


# --- The API -------------------------------------------------------------------------------------


API = "/api/v1/applications/"


def api_data(question=None, **overrides):
    data = form_data(**overrides)
    data["accept_terms"] = overrides.get("accept_terms", True)
    if question is not None:
        data["icp_answers"] = {str(question.pk): "Banks"}
    return data


def test_the_api_creates_an_application(client, program, question):
    response = client.post(API, api_data(question), content_type="application/json", HTTP_ACCEPT_LANGUAGE="pt-br")
    assert response.status_code == 201
    application = Application.objects.get()
    assert response.json() == {"id": application.pk, "status": "submitted"}
    assert application.icp_answers == {str(question.pk): "Banks"}
    assert application.language == "pt-br"
    assert Notification.objects.filter(kind="application.received", to_email="ana@nimbus.example").exists()


def test_the_api_answers_field_errors(client, program, question):
    response = client.post(
        API,
        api_data(question, email_domain="hotmail.com", country="XX", accept_terms=False),
        content_type="application/json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"email_domain", "country", "accept_terms"}
    assert "hotmail.com is a free email service." in body["email_domain"][0]
    missing = client.post(API, {"company_name": "Nimbus"}, content_type="application/json").json()
    assert f"icp_{question.pk}" in missing and "contact_email" in missing
    assert nothing_stored()


def test_the_api_refuses_a_filled_honeypot(client, program, question):
    response = client.post(API, api_data(question, homepage="x"), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Your application could not be submitted. Please try again later."}
    assert nothing_stored()


def test_the_api_is_throttled_per_ip(client, program, question, monkeypatch):
    monkeypatch.setattr(ApplicationRateThrottle, "rate", "1/hour", raising=False)
    assert client.post(API, api_data(question), content_type="application/json").status_code == 201
    response = client.post(API, api_data(question, company_name="Other"), content_type="application/json")
    assert response.status_code == 429
    assert Application.objects.count() == 1
    assert client.get(API).status_code == 405


def test_the_form_and_the_api_share_the_limit(client, program, question, monkeypatch):
    monkeypatch.setattr(ApplicationRateThrottle, "rate", "1/hour", raising=False)
    assert client.post(reverse("apply"), form_data(question)).status_code == 302
    assert client.post(API, api_data(question), content_type="application/json").status_code == 429
    assert Application.objects.count() == 1
