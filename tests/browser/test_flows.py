from urllib.parse import urlparse

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from partners.roles import StaffRole
from prm.accounts.models import User
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def log_out(page):
    page.locator("header button[data-bs-toggle=dropdown]").click()
    page.locator("header form[action='/accounts/logout/'] button").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/accounts/login/")


def test_partner_admin_switches_to_portuguese_and_it_is_remembered(page, transactional_db, tmp_path):
    partner = factories.PartnerFactory(name="Acme Integradores")
    user = factories.partner_user(partner, "admin")
    with translation.override("pt-br"):
        log_out_pt = gettext("Log out")
    assert log_out_pt != "Log out"
    html = page.locator("html")
    log_out_button = page.locator("header form[action='/accounts/logout/'] button")

    log_in(page, user.email, factories.PASSWORD)
    assert urlparse(page.url).path == "/"
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Welcome, Acme Integradores")
    expect(log_out_button).to_have_text("Log out")

    account_menu = page.locator("header button[data-bs-toggle=dropdown]")
    account_menu.click()  # the language is chosen in the account menu
    page.select_option("header select[name=language]", "pt-br")
    expect(html).to_have_attribute("lang", "pt-br")
    assert urlparse(page.url).path == "/"
    expect(page.locator("h1")).to_contain_text("Acme Integradores")
    expect(log_out_button).to_have_text(log_out_pt)
    expect(page.locator("header select[name=language]")).to_have_value("pt-br")
    user.refresh_from_db()
    assert user.language == "pt-br"

    # Signed out, the language cookie still speaks Portuguese: allauth's own catalogue.
    log_out(page)
    expect(html).to_have_attribute("lang", "pt-br")
    expect(page.locator("main h1")).to_have_text("Entrar")
    expect(page.locator("label[for=id_password]")).to_contain_text("Senha")

    # Without the cookie, the login page is English again and the choice comes from the user.
    page.context.clear_cookies()
    log_in(page, user.email, factories.PASSWORD)
    assert urlparse(page.url).path == "/"
    expect(html).to_have_attribute("lang", "pt-br")
    expect(log_out_button).to_have_text(log_out_pt)

    account_menu.click()
    page.select_option("header select[name=language]", "en")
    expect(html).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Welcome, Acme Integradores")
    expect(log_out_button).to_have_text("Log out")
    assert User.objects.get(pk=user.pk).language == "en"

    shot = tmp_path / "partner_home_en.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > 1000


def test_login_page_is_english_without_a_cookie(page, transactional_db):
    page.goto("/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main h1")).to_have_text("Sign In")


def test_staff_user_passes_the_mfa_step_and_reaches_the_admin(page, transactional_db, mfa, settings):
    # Accept the neighbouring 30-second window so a code read at a window boundary still counts.
    settings.MFA_TOTP_TOLERANCE = 1
    user = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    code = mfa(user)

    page.goto("/admin/")
    assert urlparse(page.url).path == "/accounts/login/"
    log_in(page, user.email, factories.PASSWORD)
    assert urlparse(page.url).path == "/accounts/2fa/authenticate/"
    expect(page.locator("input[name=code]")).to_be_visible()
    assert not page.locator("#site-name").count()

    page.fill("input[name=code]", code())
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/admin/")
    expect(page.locator("#site-name")).to_have_text("Partner Portal")
    expect(page.locator("#content h1")).to_have_text("Your queue")


def test_staff_user_with_a_wrong_code_stays_out_of_the_admin(page, transactional_db, mfa):
    user = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    code = mfa(user)
    wrong = f"{(int(code()) + 500_000) % 1_000_000:06d}"

    page.goto("/admin/")
    log_in(page, user.email, factories.PASSWORD)
    page.fill("input[name=code]", wrong)
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator("main")).to_contain_text("Incorrect code.")
    expect(page.locator("input[name=code]")).to_be_visible()
    assert urlparse(page.url).path == "/accounts/2fa/authenticate/"
    # The admin sends the half-signed-in user back to the pending MFA step.
    page.goto("/admin/")
    assert urlparse(page.url).path == "/accounts/2fa/authenticate/"
    assert not page.locator("#site-name").count()


def test_partner_user_never_gets_the_admin(page, transactional_db):
    partner = factories.PartnerFactory(name="Acme Admin Probe")
    factories.PartnerFactory(name="Zenith Hidden Partner")
    user = factories.partner_user(partner, "admin")
    log_in(page, user.email, factories.PASSWORD)

    response = page.goto("/admin/")
    assert response.status == 403
    assert not page.locator("#site-name").count()
    assert "Site administration" not in page.content()
    response = page.goto("/admin/partners/partner/")
    assert response.status == 403
    assert not page.locator("#site-name").count()
    # The page names the user's own company in its header, and nothing of the admin's list.
    assert "Zenith" not in page.content()
    assert "Acme" not in page.locator("main").inner_text()
