"""The review of applications in the admin: list, filters, export, checklist, approve, reject."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import ApplicationCheck, ApplicationStatus, CamTerritory, Partner
from partners.recruitment import application_submit
from partners.roles import StaffRole
from prm.countries import country_name
from prm.sla.models import Deadline, DeadlineState
from tests.factories import (
    ApplicationFactory,
    CriteriaItemFactory,
    IcpQuestionFactory,
    PartnerFactory,
    staff_user,
)

CHANGELIST = reverse("admin:partners_application_changelist")


@pytest.fixture
def sign_in(client, mfa):
    def sign_in(role):
        user = staff_user(role, first_name="Rita", last_name="Reviewer")
        mfa(user)
        client.force_login(user)
        return user

    return sign_in


def submit(program, **overrides):
    data = {
        "program": program,
        "company_name": "Nimbus Tecnologia Ltda",
        "email_domain": "nimbus.example",
        "country": "BR",
        "company_size": "10-49",
        "contact_name": "Ana Souza",
        "contact_email": "ana@nimbus.example",
        "contact_phone": "+55 11 91234-5678",
        "icp_answers": {str(q.pk): f"Answer to {q.text_en}" for q in program.icp_questions.all()},
    }
    data.update(overrides)
    return application_submit(**data)


def review(client, application, **data):
    return client.post(reverse("admin:partners_application_review", args=[application.pk]), data)


def test_the_list_filters_by_status_country_and_review_deadline(client, program, sign_in):
    sign_in(StaffRole.ACQUISITION)
    open_br = submit(program, company_name="Open Brazil")
    submit(program, company_name="Open France", country="FR", email_domain="fr.example")
    rejected = ApplicationFactory(program=program, company_name="Rejected One", status=ApplicationStatus.REJECTED)
    Deadline.objects.filter(object_id=open_br.pk).update(state=DeadlineState.BREACHED)

    def names(**params):
        response = client.get(CHANGELIST, params)
        assert response.status_code == 200
        return sorted(row.company_name for row in response.context["cl"].result_list)

    assert names() == ["Open Brazil", "Open France", "Rejected One"]
    assert names(status="submitted") == ["Open Brazil", "Open France"]
    assert names(country="FR") == ["Open France"]
    assert names(review="breached") == ["Open Brazil"]
    assert names(review="on_time") == ["Open France"]
    assert names(review="none") == [rejected.company_name]
    assert names(q="fr.example") == ["Open France"]
    html = client.get(CHANGELIST).content.decode()
    assert "Brazil (BR)" in html
    assert "breached" in html


def test_the_list_costs_the_same_queries_for_more_applications(client, program, sign_in):
    sign_in(StaffRole.ACQUISITION)
    submit(program, company_name="First")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(CHANGELIST).status_code == 200
        return len(captured)

    one = count()
    for index in range(6):
        submit(program, company_name=f"Company {index}", email_domain=f"c{index}.example")
    assert count() == one


def test_the_csv_export_lists_the_selected_applications_safely(client, program, sign_in):
    sign_in(StaffRole.ACQUISITION)
    chosen = submit(program, company_name="=HYPERLINK(1)")
    submit(program, company_name="Not Chosen", email_domain="other.example")
    response = client.post(CHANGELIST, {"action": "export_csv", "_selected_action": [chosen.pk]})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["id", "submitted at", "status", "company name"]
    assert len(rows) == 2
    assert rows[1][0] == str(chosen.pk)
    assert rows[1][3] == "'=HYPERLINK(1)"
    assert rows[1][11] == "on time"
    assert (rows[0][4], rows[0][13]) == ("country", "country code")
    assert (rows[1][4], rows[1][13]) == (country_name(chosen.country), chosen.country)
    assert rows[1][4] != rows[1][13]


def test_the_change_page_shows_answers_duplicates_and_the_checklist(client, program, sign_in):
    IcpQuestionFactory(program=program, text_en="Which segments do you sell to?")
    CriteriaItemFactory(program=program, text_en="Registered company with a valid tax ID")
    PartnerFactory(program=program, name="Nimbus Tecnologia SA")
    application = submit(program)
    sign_in(StaffRole.ACQUISITION)
    response = client.get(reverse("admin:partners_application_change", args=[application.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Which segments do you sell to?" in html
    assert "Answer to Which segments do you sell to?" in html
    assert "Nimbus Tecnologia SA" in html
    assert "similar name" in html and "1.00" in html
    assert "Registered company with a valid tax ID" in html
    assert 'value="tick"' in html
    assert 'value="approve"' in html and 'value="reject"' in html


def test_ticking_in_the_admin_records_and_shows_who_and_when(client, program, sign_in):
    item = CriteriaItemFactory(program=program)
    application = submit(program)
    reviewer = sign_in(StaffRole.ACQUISITION)
    response = review(client, application, action="tick", item=item.pk)
    assert response.status_code == 302
    check = ApplicationCheck.objects.get()
    assert (check.application, check.item, check.checked_by) == (application, item, reviewer)
    html = client.get(response["Location"]).content.decode()
    assert "Ticked by Rita Reviewer" in html
    assert "The checklist is saved." in html
    review(client, application, action="untick", item=item.pk)
    assert not ApplicationCheck.objects.exists()


def test_approving_in_the_admin_creates_the_partner_once(client, program, sign_in):
    cam = staff_user(StaffRole.CAM)
    CamTerritory.objects.create(cam=cam, country="BR")
    application = submit(program)
    sign_in(StaffRole.ACQUISITION)
    response = review(client, application, action="approve", cam="", reason="")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    page = client.get(response["Location"]).content.decode()
    assert "is a partner and its admin was invited" in page
    assert 'value="approve"' not in page

    again = review(client, application, action="approve")
    assert "This application was already decided (Approved)." in client.get(again["Location"]).content.decode()
    assert Partner.objects.count() == 1


def test_approving_with_a_chosen_cam(client, program, sign_in):
    chosen = staff_user(StaffRole.CAM)
    application = submit(program)
    sign_in(StaffRole.CHANNEL_MANAGER)
    review(client, application, action="approve", cam=chosen.pk)
    from partners.selectors import partner_cams

    application.refresh_from_db()
    assert list(partner_cams(application.partner)) == [chosen]


def test_approving_with_someone_who_is_not_a_cam_is_refused(client, program, sign_in):
    application = submit(program)
    sign_in(StaffRole.ACQUISITION)
    marketing = staff_user(StaffRole.MARKETING)
    response = review(client, application, action="approve", cam=marketing.pk)
    assert "Choose a channel account manager from the list." in client.get(response["Location"]).content.decode()
    assert not Partner.objects.exists()


def test_rejecting_in_the_admin_needs_a_reason(client, program, sign_in):
    application = submit(program)
    sign_in(StaffRole.ACQUISITION)
    response = review(client, application, action="reject", reason="")
    assert "Give the reason for the rejection" in client.get(response["Location"]).content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED

    review(client, application, action="reject", reason="We do not cover your region yet.")
    application.refresh_from_db()
    assert (application.status, application.decision_reason) == ("rejected", "We do not cover your region yet.")


@pytest.mark.parametrize("role", [StaffRole.CAM, StaffRole.EXECUTIVE, StaffRole.MARKETING])
def test_other_staff_cannot_review(client, program, sign_in, role):
    application = submit(program)
    sign_in(role)
    assert review(client, application, action="reject", reason="No.").status_code == 403
    assert client.get(reverse("admin:partners_application_change", args=[application.pk])).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED


def test_the_review_address_takes_posts_only(client, program, sign_in):
    application = submit(program)
    sign_in(StaffRole.ACQUISITION)
    assert client.get(reverse("admin:partners_application_review", args=[application.pk])).status_code == 405
