"""Lead distribution end to end in Chromium: channel marketing imports a CSV of leads, the channel
manager offers the Brazilian one to a partner by the rules, and the partner's sales user accepts it,
contacts the customer and converts it into a deal registration draft."""

import datetime
import re
from urllib.parse import urlparse

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from deals.models import Deal, DealStatus
from leads.models import AssignmentRule, Lead, LeadImport, LeadImportState, LeadStatus
from partners.models import PartnerRole
from partners.roles import StaffRole
from prm.celery import app
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.browser

HEADER = (
    "contact_name,email,phone,company,company_size,industry,country,region,city,"
    "latitude,longitude,product_interest,rating,source,notes"
)
ROWS = [
    "Maria Souza,maria@padariaestrela.com.br,+55 11 5555-0101,Padaria Estrela Ltda.,50-249,retail,BR,SP,São Paulo,,,,A,webinar,",
    "Chloé Martin,chloe@boulangerie-lyon.fr,+33 4 78 00 00 00,Boulangerie de Lyon,10-49,retail,FR,ARA,Lyon,,,,B,salon,",
    "Sem Email,not-an-email,,Empresa Sem Email,,,BR,,,,,,,webinar,",
]


@pytest.fixture
def celery_inline(settings, tmp_path):
    """Run the import task in the process (in the request that queues it), as tests/leads do."""
    settings.MEDIA_ROOT = tmp_path / "media"
    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


def staff_page(browser, live_server, user, totp):
    """A new browser context where a staff user signed in with the MFA step."""
    context = browser.new_context(base_url=live_server.url, locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, user.email, factories.PASSWORD)
    page.fill("input[name=code]", totp())
    page.locator("main form button[type=submit], form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/2fa/" not in url)
    return page


def on_path(pattern):
    return lambda url: re.fullmatch(pattern, urlparse(url).path) is not None


def test_marketing_imports_leads_and_a_partner_converts_one_into_a_deal(
    page, browser, live_server, transactional_db, mfa, celery_inline, tmp_path
):
    program = factories.ProgramFactory()
    # No onboarding steps and no published agreement: the partner is eligible for leads.
    solaris = factories.PartnerFactory(program=program, name="Solaris Integração", country="BR")
    sales = factories.partner_user(solaris, PartnerRole.SALES)
    AssignmentRule.objects.create(name="Brazil", order=10, countries=["BR"])
    marketing = factories.staff_user(StaffRole.MARKETING)
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    marketing_code, manager_code = mfa(marketing), mfa(manager)
    csv_file = tmp_path / "leads-webinar.csv"
    csv_file.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")

    # 1. Channel marketing signs in with the MFA step and imports the file from the navigation.
    staff = staff_page(browser, live_server, marketing, marketing_code)
    staff.locator("header nav a[href='/staff/leads/import/']").click()
    staff.wait_for_url(on_path(r"/staff/leads/import/"))
    expect(staff.locator("main")).to_contain_text("product_interest")
    # Channel marketing may import leads but not assign them: the upload form has no "assign" tickbox.
    expect(staff.locator("input[name=assign]")).to_have_count(0)
    staff.set_input_files("input[name=file]", str(csv_file))
    staff.locator("main form button[type=submit]").click()
    staff.wait_for_url(on_path(r"/staff/leads/import/\d+/"))
    job = LeadImport.objects.get()
    progress = staff.locator("#import-progress")
    expect(progress).to_contain_text("Done")
    facts = progress.locator("dl.facts")
    expect(facts.locator("dt:has-text('Imported') + dd")).to_have_text("2")
    expect(facts.locator("dt:has-text('Rows with errors') + dd")).to_have_text("1")
    report = progress.locator(f"a[href='/staff/leads/import/{job.pk}/errors.csv']")
    expect(report).to_be_visible()
    expect(staff.locator("main")).to_contain_text("not-an-email")
    errors = staff.request.get(f"/staff/leads/import/{job.pk}/errors.csv")
    assert errors.ok and "not-an-email" in errors.text()
    job.refresh_from_db()
    assert job.state == LeadImportState.DONE
    assert (job.total_rows, job.imported, job.failed, job.duplicates) == (3, 2, 1, 0)
    assert set(Lead.objects.values_list("email", "status")) == {
        ("maria@padariaestrela.com.br", LeadStatus.POOL),
        ("chloe@boulangerie-lyon.fr", LeadStatus.POOL),
    }
    staff.context.close()

    # 2. The channel manager offers the Brazilian lead by the rules, from the leads changelist.
    lead = Lead.objects.get(email="maria@padariaestrela.com.br")
    staff = staff_page(browser, live_server, manager, manager_code)
    staff.goto("/admin/leads/lead/")
    staff.locator(f"#result_list input[name=_selected_action][value='{lead.pk}']").check()
    staff.select_option("select[name=action]", "assign_selected")
    staff.locator("#changelist-form button[name=index]").click()
    expect(staff.locator("#content")).to_contain_text("Padaria Estrela Ltda.")
    staff.locator("input[type=submit][name=apply]").click()
    expect(staff.locator(".messagelist")).to_contain_text("1 of 1 lead assigned.")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.OFFERED and lead.partner == solaris
    assert Lead.objects.get(email="chloe@boulangerie-lyon.fr").status == LeadStatus.POOL
    staff.context.close()

    # 3. The partner's sales user finds it under "Leads", with its countdown and without the contact's email.
    log_in(page, sales.email, factories.PASSWORD)
    page.locator("header nav a[href='/leads/']").click()
    page.wait_for_url(on_path(r"/leads/"))
    row = page.locator("main table tbody tr", has_text="Padaria Estrela Ltda.")
    expect(row).to_contain_text("Awaiting acceptance")
    expect(row.locator(".clock")).to_contain_text("answer due in")
    expect(page.locator("main")).not_to_contain_text("Boulangerie de Lyon")
    expect(page.locator("main")).not_to_contain_text("maria@padariaestrela.com.br")
    row.locator("a").first.click()
    page.wait_for_url(on_path(rf"/leads/{lead.pk}/"))
    expect(page.locator(".page-header .status-badge")).to_have_text("Awaiting acceptance")
    expect(page.locator(".page-header .clock")).to_contain_text("answer due in")
    expect(page.locator("main")).not_to_contain_text("maria@padariaestrela.com.br")
    expect(page.locator("main")).not_to_contain_text("Maria Souza")

    # 4. It accepts the lead and sees the contact's details.
    page.locator(f"form[action='/leads/{lead.pk}/accept/'] button[type=submit]").click()
    expect(page.locator(".page-header .status-badge")).to_have_text("Accepted")
    expect(page.locator("main a[href='mailto:maria@padariaestrela.com.br']")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Maria Souza")
    expect(page.locator(".page-header .clock")).to_contain_text("first contact due in")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.ACCEPTED and lead.accepted_at is not None

    # 5. It marks the lead contacted.
    page.locator(f"form[action='/leads/{lead.pk}/advance/'] button[type=submit]").click()
    expect(page.locator(".page-header .status-badge")).to_have_text("Contacted")
    expect(page.locator("body")).to_contain_text("The lead is marked as contacted.")
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONTACTED and lead.contacted_at is not None

    # 6. It converts the lead and lands on the new deal registration's draft, pre-filled from the lead.
    close_date = timezone.localdate() + datetime.timedelta(days=60)
    convert = page.locator(f"form[action='/leads/{lead.pk}/convert/']")
    convert.locator("input[name=amount]").fill("52000")
    convert.locator("input[name=expected_close_date]").fill(close_date.isoformat())
    convert.locator("button[type=submit]").click()
    page.wait_for_url(on_path(r"/deals/\d+/"))
    deal = Deal.objects.get()
    assert urlparse(page.url).path == f"/deals/{deal.pk}/"
    expect(page.locator(".page-header h1")).to_have_text("Padaria Estrela Ltda.")
    expect(page.locator(".page-header .status-badge")).to_have_text("Draft")
    expect(page.locator("main")).to_contain_text("maria@padariaestrela.com.br")
    expect(page.locator(".page-header form[action$='/submit/'] button[type=submit]")).to_be_visible()
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.deal_id == deal.pk
    assert deal.status == DealStatus.DRAFT and deal.partner == solaris
    assert (deal.customer_company, deal.customer_email, deal.customer_country) == (
        "Padaria Estrela Ltda.",
        "maria@padariaestrela.com.br",
        "BR",
    )
    assert deal.amount == 52000 and deal.expected_close_date == close_date
