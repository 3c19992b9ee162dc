"""Deal registration end to end in Chromium: a partner registers and submits, the CAM approves in
the admin, the partner sees the protection, and a second partner on the same customer is flagged."""

import datetime
from urllib.parse import urlparse

import pytest
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from deals.models import Deal, DealStatus
from partners.roles import StaffRole
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.browser


def register(page, *, company, email, amount):
    page.locator("header nav a[href='/deals/']").click()
    page.locator(".page-header a[href='/deals/new/']").click()
    page.fill("input[name=customer_company]", company)
    page.fill("input[name=customer_email]", email)
    page.select_option("select[name=customer_country]", "BR")
    page.fill("input[name=amount]", amount)
    page.select_option("select[name=currency]", "BRL")
    page.fill("input[name=expected_close_date]", (timezone.localdate() + datetime.timedelta(days=45)).isoformat())
    page.locator("main form button[name=submit]").click()
    page.wait_for_url(lambda url: urlparse(url).path.rstrip("/").split("/")[-1].isdigit())


def test_partner_registers_cam_approves_and_a_second_partner_is_flagged(
    page, browser, live_server, transactional_db, mfa
):
    program = factories.ProgramFactory()
    solaris = factories.PartnerFactory(program=program, name="Solaris Integração")
    lumiere = factories.PartnerFactory(program=program, name="Lumière Solutions", country="FR")
    sales = factories.partner_user(solaris, "sales")
    other = factories.partner_user(lumiere, "admin")
    cam = factories.staff_user(StaffRole.CAM, partners=[solaris])
    totp = mfa(cam)

    # 1. A partner sales user registers a deal and submits it; the decision clock is visible.
    log_in(page, sales.email, factories.PASSWORD)
    register(page, company="Padaria Estrela Ltda.", email="compras@padariaestrela.com.br", amount="48000")
    expect(page.locator("main")).to_contain_text("Submitted")
    expect(page.locator(".page-header .clock")).to_contain_text("decision due in")
    deal = Deal.objects.get(partner=solaris)
    assert deal.status == DealStatus.SUBMITTED and not deal.conflict_flag

    # 2. The CAM signs in with the MFA step and approves it in the admin, from the list's SLA badge.
    staff_context = browser.new_context(base_url=live_server.url, locale="en-US")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    log_in(staff, cam.email, factories.PASSWORD)
    staff.fill("input[name=code]", totp())
    staff.locator("main form button[type=submit], form button[type=submit]").first.click()
    staff.wait_for_url(lambda url: "/2fa/" not in url)
    staff.goto("/admin/deals/deal/")
    row = staff.locator("#result_list tbody tr", has_text="Padaria Estrela")
    expect(row).to_contain_text("on time")
    row.locator("a").first.click()
    expect(staff.locator("#content")).to_contain_text("Padaria Estrela Ltda.")
    staff.locator("#approve-form button[type=submit]").click()
    staff.wait_for_load_state()
    expect(staff.locator(".messagelist")).to_be_visible()
    deal.refresh_from_db()
    assert deal.status == DealStatus.APPROVED and deal.first_approver == cam
    staff_context.close()

    # 3. The partner sees it approved, with the end of the protection.
    page.goto(f"/deals/{deal.pk}/")
    with translation.override("en"):
        until = formats.date_format(timezone.localtime(deal.protected_until), "DATE_FORMAT")
    expect(page.locator("main")).to_contain_text("Approved")
    expect(page.locator("main")).to_contain_text(f"this customer is yours until {until}")
    expect(page.locator("main ol.timeline")).to_contain_text("Approved")

    # 4. Another partner registering the same customer is flagged for conflict review, and sees no one else.
    page.context.clear_cookies()
    log_in(page, other.email, factories.PASSWORD)
    register(page, company="PADARIA ESTRELA", email="diretoria@padariaestrela.com.br", amount="30000")
    expect(page.locator("main .alert")).to_contain_text("A conflict check is under way")
    expect(page.locator("main")).not_to_contain_text("Solaris")
    flagged = Deal.objects.get(partner=lumiere)
    assert flagged.status == DealStatus.SUBMITTED and flagged.conflict_flag
