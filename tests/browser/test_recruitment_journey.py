"""The recruitment journey, end to end in Chromium: from the public program page to an
onboarded partner team."""

import re
from urllib.parse import urlparse

import pytest
from django.core import mail
from playwright.sync_api import expect

from partners.models import Application, Membership, Partner, StepKind
from partners.roles import StaffRole
from prm.notifications.services import outbox_sweep
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "Soleil-sur-Lyon-2026"


def deliver_emails():
    """Deliver the outbox now (in production the Celery worker does it after commit)."""
    outbox_sweep(older_than_seconds=0)


def link_in_email(to: str, path_prefix: str) -> str:
    for message in reversed(mail.outbox):
        if to in message.to:
            found = re.search(rf"https?://[^\s]+({re.escape(path_prefix)}[^\s]+)", message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no email to {to} with a {path_prefix} link")


@pytest.fixture
def program(transactional_db):
    program = factories.ProgramFactory()
    factories.ProgramPageFactory(
        program=program,
        headline_fr="Grandissons ensemble",
        mission_fr="Ensemble, nous servons bien nos clients.",
    )
    factories.TierFactory(program=program, rank=1, name="Registered", name_fr="Enregistré")
    factories.IcpQuestionFactory(program=program, text_en="Who are your customers?", text_fr="Qui sont vos clients ?")
    factories.CriteriaItemFactory(program=program, text_en="Registered company")
    factories.AgreementVersionFactory(program=program, version=1)
    for order, kind, title in [
        (1, StepKind.AGREEMENT, "Accept the partner agreement"),
        (2, StepKind.PROFILE, "Complete your company profile"),
        (3, StepKind.INVITE, "Invite a colleague"),
    ]:
        factories.OnboardingStepFactory(program=program, order=order, kind=kind, title_en=title)
    return program


def test_visitor_applies_in_french_and_becomes_an_onboarded_partner_team(page, browser, live_server, program, mfa):
    reviewer = factories.staff_user(StaffRole.ACQUISITION)
    totp = mfa(reviewer)
    html = page.locator("html")

    # 1. An anonymous visitor reads the program page in French and applies.
    page.goto("/")
    page.select_option("header select[name=language]", "fr")
    expect(html).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_contain_text("Grandissons ensemble")
    expect(page.locator("main")).to_contain_text("Ensemble, nous servons bien nos clients.")
    expect(page.locator("main")).to_contain_text("Enregistré")
    page.locator("main a[href='/apply/']").first.click()
    expect(html).to_have_attribute("lang", "fr")
    page.fill("input[name=company_name]", "Lumière Conseil SAS")
    page.fill("input[name=website]", "https://lumiere-conseil.example")
    page.fill("input[name=email_domain]", "lumiere-conseil.example")
    page.select_option("select[name=country]", "FR")
    page.select_option("select[name=company_size]", "10-49")
    page.check("input[name=regions][value=europe]")
    page.check("input[name=industries][value=retail]")
    page.fill("input[name=contact_name]", "Chloé Martin")
    page.fill("input[name=contact_email]", "chloe@lumiere-conseil.example")
    page.fill("input[name=contact_phone]", "+33 1 23 45 67 89")
    page.locator("[name^=icp_]").first.fill("Des distributeurs en Île-de-France.")
    page.check("input[name=accept_terms]")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/apply/thanks/")
    application = Application.objects.get(contact_email="chloe@lumiere-conseil.example")
    assert application.language == "fr"
    deliver_emails()
    assert any("chloe@lumiere-conseil.example" in message.to for message in mail.outbox)

    # 2. Channel acquisition signs in with the MFA step and approves the application in the admin.
    staff_context = browser.new_context(base_url=live_server.url, locale="en-US")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    log_in(staff, reviewer.email, factories.PASSWORD)
    staff.fill("input[name=code]", totp())
    staff.locator("main form button[type=submit], form button[type=submit]").first.click()
    staff.wait_for_url(lambda url: "/2fa/" not in url)
    staff.goto(f"/admin/partners/application/{application.pk}/change/")
    expect(staff.locator("#content")).to_contain_text("Lumière Conseil SAS")
    staff.locator("button[name=action][value=approve]").click()
    staff.wait_for_load_state()
    application.refresh_from_db()
    assert application.status == "approved"
    partner = Partner.objects.get(pk=application.partner_id)
    staff_context.close()

    # 3. The invitation link sets the password (once) and signs the new partner admin in.
    deliver_emails()
    invitation_path = link_in_email("chloe@lumiere-conseil.example", "/invitations/")
    page.context.clear_cookies()
    page.goto(invitation_path)
    expect(page.locator("h1")).to_contain_text("Lumière Conseil SAS")
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()

    # 4. Until the agreement is accepted, the agreement page is all the partner sees.
    page.wait_for_url(lambda url: urlparse(url).path == "/agreement/")
    page.goto("/team/")
    assert urlparse(page.url).path == "/agreement/"
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: urlparse(url).path != "/agreement/")

    # 5. Complete the company profile.
    page.goto("/company/")
    page.fill("textarea[name=description]", "Intégrateur spécialisé dans le commerce.")
    page.fill("input[name='addresses-0-line1']", "12 rue de la République")
    page.fill("input[name='addresses-0-city']", "Lyon")
    page.select_option("select[name='addresses-0-country']", "FR")
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator(".toast")).to_be_visible()

    # 6. Invite a colleague.
    page.goto("/team/")
    invite = page.locator("form[action='/team/invite/']")
    invite.locator("input[name=email]").fill("hugo@lumiere-conseil.example")
    invite.locator("select[name=role]").select_option("sales")
    invite.locator("button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("main")).to_contain_text("hugo@lumiere-conseil.example")

    # 7. The home page shows the checklist complete.
    page.goto("/")
    expect(html).to_have_attribute("lang", "fr")  # the applicant's language became the user's
    expect(page.locator("h1")).to_contain_text("Lumière Conseil SAS")
    checklist = page.locator("section[aria-labelledby=onboarding-h] [role=progressbar]")
    expect(checklist).to_have_attribute("aria-valuenow", "100")
    assert Membership.objects.filter(partner=partner).count() == 2
    assert partner.onboarding_progress.count() == 3
