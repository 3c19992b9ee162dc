"""The pages whose scripts and styles moved to static files work under the Content-Security-Policy,
and the browser reports no violation on them (ADR 0012)."""

from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from partners.roles import StaffRole
from prm.accounts.models import ApiToken
from tests import factories

from .conftest import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def violations(page):
    """What the browser refused under the policy, as its console reports it."""
    found = []
    page.on(
        "console",
        lambda message: found.append(message.text) if "Content Security Policy" in message.text else None,
    )
    page.on("pageerror", lambda error: found.append(str(error)))
    return found


def signed_in_as(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def test_the_token_revocation_asks_first_and_the_language_switch_submits(page, transactional_db, violations):
    partner = factories.PartnerFactory(name="Acme Integradores")
    user = factories.partner_user(partner, "admin")
    log_in(page, user.email, factories.PASSWORD)
    page.goto("/profile/")
    page.fill("#token-name", "CRM sync")
    page.locator("main form button[type=submit]", has_text="Create token").click()
    expect(page.locator("#new-token")).to_be_visible()

    # The question opens in the portal's confirmation dialog: Cancel keeps the token, Confirm revokes it.
    dialog = page.locator("#confirm-dialog")
    page.locator("button[name=revoke]").click()
    expect(dialog).to_be_visible()
    expect(dialog.locator("[data-confirm-question]")).to_have_text("Revoke this token?")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    assert ApiToken.objects.get(user=user).revoked_at is None

    page.locator("button[name=revoke]").click()
    with page.expect_navigation():
        dialog.get_by_role("button", name="Confirm").click()
    assert ApiToken.objects.get(user=user).revoked_at is not None

    # The language is chosen in the account menu.
    page.get_by_role("button", name="Your account").click()
    page.select_option("header select[name=language]", "fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert urlparse(page.url).path == "/profile/"
    assert not violations, violations


def test_the_api_docs_render_under_the_policy(page, live_server, transactional_db, violations):
    partner = factories.PartnerFactory(name="Acme Integradores")
    signed_in_as(page, live_server, factories.partner_user(partner, "admin"))
    page.goto("/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Partner Portal API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert not violations, violations


def test_the_admin_deal_and_lead_lists_load_their_styles_under_the_policy(
    page, live_server, transactional_db, mfa, violations
):
    manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    mfa(manager)
    signed_in_as(page, live_server, manager)
    for path, stylesheet in (("/admin/deals/deal/", "admin-deals.css"), ("/admin/leads/lead/", "admin-leads.css")):
        page.goto(path)
        expect(page.locator(f"link[href$='{stylesheet}']")).to_have_count(1)
        expect(page.locator("#changelist")).to_be_visible()
    # The admin's design system (admin.css, the program's /brand.css, the vendored Inter) under the policy too.
    page.goto("/admin/")
    expect(page.locator("link[href$='css/admin.css']")).to_have_count(1)
    expect(page.locator(".queue-card").first).to_be_visible()
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Inter Variable"')
    assert not violations, violations
