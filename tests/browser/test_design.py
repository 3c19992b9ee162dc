"""The main pages as their users see them, on a laptop (1366 px) and a phone (390 px), in each language.

Over the demo data (the newcomer's first walk): no page is wider than the window, the browser
reports no error, and the accessibility scan (axe-core, vendored under tests/vendor/) finds no
serious or critical violation of WCAG 2.1 A/AA. Each page is saved as a screenshot under
``var/screenshots/`` (not committed) for the people who review a change of the design.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from deals.models import Deal
from leads.models import Lead
from partners.models import Partner
from prm.demo import seed_demo

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent.parent / "vendor" / "axe.min.js").read_text()
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
SIZES = {"laptop": (1366, 900), "phone": (390, 844)}
LANGUAGES = ("en", "pt-br", "fr")
PARTNER_ADMIN = "ana.admin@solaris.example"
CAM = "cam@vendor.example"


def account_pages(admin) -> list[tuple[str, str]]:
    """allauth's pages a signed-out visitor opens: the password reset's four steps, an e-mail
    confirmation link (an unknown key: the page that says so)."""
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str

    def key():
        admin.refresh_from_db()
        return {"uidb36": user_pk_to_url_str(admin), "key": default_token_generator.make_token(admin)}

    return [
        ("password-reset", reverse("account_reset_password")),
        ("password-reset-done", reverse("account_reset_password_done")),
        # made when visited: signing the demo admin in (for its own pages) changes the key
        ("password-reset-key", lambda: reverse("account_reset_password_from_key", kwargs=key())),
        ("password-reset-key-done", reverse("account_reset_password_from_key_done")),
        ("email-confirm", reverse("account_confirm_email", args=["unknown-key"])),
    ]


def main_pages() -> dict[str | None, list[tuple[str, str]]]:
    """(name, path) of the main pages, by the demo login that opens them (None: signed out)."""
    solaris = Partner.objects.get(memberships__user__email=PARTNER_ADMIN)
    admin = get_user_model().objects.get(email=PARTNER_ADMIN)
    deal = Deal.objects.filter(partner=solaris).exclude(status="draft").order_by("pk").first()
    lead = Lead.objects.filter(assignments__partner=solaris).order_by("pk").first()
    partner_pages = [
        ("home", reverse("home")),
        ("dashboard", reverse("dashboard")),
        ("dashboard-mine", reverse("dashboard_mine")),
        ("dashboard-history", reverse("dashboard_history")),
        ("deals", reverse("deal_list")),
        ("deal-new", reverse("deal_create")),
        ("deal", reverse("deal_detail", args=[deal.pk])),
        ("leads", reverse("lead_inbox")),
        ("team", reverse("team")),
        ("company", reverse("company_profile")),
        ("notifications", reverse("notification_list")),
        ("notification-settings", reverse("notification_preferences")),
        ("profile", reverse("profile")),
        ("search", reverse("search") + "?q=ltda"),
        ("logout", reverse("account_logout")),
        ("password-change", reverse("account_change_password")),
        ("two-factor", reverse("mfa_index")),
    ]
    if lead is not None:
        partner_pages.append(("lead", reverse("lead_detail", args=[lead.pk])))
    return {
        None: [("login", reverse("account_login")), ("apply", reverse("apply")), *account_pages(admin)],
        PARTNER_ADMIN: partner_pages,
        CAM: [
            ("staff-home", reverse("home")),
            ("staff-partners", reverse("staff_partner_list")),
            ("staff-partner", reverse("staff_partner_detail", args=[solaris.pk])),
            ("staff-dashboard", reverse("staff_dashboard")),
            ("staff-portfolio", reverse("staff_portfolio")),
            ("staff-partner-dashboard", reverse("staff_partner_dashboard", args=[solaris.pk])),
            ("staff-partner-history", reverse("staff_partner_history", args=[solaris.pk])),
            ("styleguide", reverse("styleguide")),
        ],
    }


def _scan(page) -> list[str]:
    page.evaluate(AXE)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}});
            return r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
                .map(v => v.id + " (" + v.impact + "): " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return list(result)


# Touch targets (WCAG 2.5.5, 44 × 44 CSS px) on the phone: the header's links and buttons, every button,
# field and pager link. Exceptions, as WCAG's: a text link inside a sentence, a table cell or a form
# hint (inline); a control that is not displayed (a closed menu, the skip link until focused); a
# checkbox or a radio, whose target is its whole label row (measured instead).
TOUCH_TARGETS = ".navbar a, .btn, button, input, select, .page-link"
TOUCH_CHECK = """(selector) => {
    const small = [];
    const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
        + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "")
        + (el.textContent.trim() ? ' "' + el.textContent.trim().slice(0, 30) + '"' : "");
    for (const el of document.querySelectorAll(selector)) {
        if (el.matches("input[type=hidden]") || el.closest(".visually-hidden, .visually-hidden-focusable")) continue;
        if (el.matches("a:not(.btn):not(.nav-link):not(.page-link):not(.dropdown-item)")
            && el.closest("p, td, dd, li.list-inline-item, .form-text, .form-hint, small")) continue;
        let target = el;
        if (el.matches("input[type=checkbox], input[type=radio]")) target = el.closest(".form-check, label") || el;
        const box = target.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
        if (box.width < 44 || box.height < 44) small.push(describe(el) + " " + Math.round(box.width) + "×" + Math.round(box.height));
    }
    return small;
}"""


def _small_targets(page) -> list[str]:
    return list(page.evaluate(TOUCH_CHECK, TOUCH_TARGETS))


@pytest.fixture
def demo(transactional_db, mfa):
    seed_demo()
    for user in get_user_model().objects.filter(is_staff=True):
        mfa(user)


@pytest.mark.parametrize("language", LANGUAGES)
def test_main_pages_fit_the_phone_and_pass_the_accessibility_scan(browser, live_server, demo, language):
    problems = []
    pages = main_pages()
    for size, (width, height) in SIZES.items():
        for email, paths in pages.items():
            # bypass_csp lets the scanner's script run; the policy itself is tested in test_csp_pages.
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": height}, bypass_csp=True
            )
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            if email is not None:
                user = get_user_model().objects.get(email=email)
                user.language = language
                user.save(update_fields=["language"])
                client = Client()
                client.force_login(user)
                cookie = client.cookies[settings.SESSION_COOKIE_NAME]
                context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
            page = context.new_page()
            errors = []
            page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
            for name, path in paths:
                path = path() if callable(path) else path
                response = page.goto(path)
                where = f"{language} {size} {name} ({path})"
                if response.status != 200:
                    problems.append(f"{where}: answered {response.status}")
                    continue
                assert page.locator("html").get_attribute("lang") == language, where
                overflow = page.evaluate("document.documentElement.scrollWidth") - width
                if overflow > 0:
                    problems.append(f"{where}: {overflow} px wider than the window")
                problems.extend(f"{where}: {violation}" for violation in _scan(page))
                if size == "phone":
                    problems.extend(f"{where}: touch target {target}" for target in _small_targets(page))
                problems.extend(f"{where}: script error {error}" for error in errors)
                errors.clear()
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{language}-{size}-{name}.png", full_page=True)
            context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_sign_in_steps_fit_the_phone_and_pass_the_accessibility_scan(browser, live_server, demo, language):
    """The pages met only through a real sign-in: the two-factor step (staff) and, just after signing
    in, the authenticator's activation (a partner admin)."""
    from prm.demo import DEMO_PASSWORD

    problems = []
    for size, (width, height) in SIZES.items():
        for email, path, name in (
            (CAM, None, "two-factor-step"),
            (PARTNER_ADMIN, reverse("mfa_activate_totp"), "totp"),
        ):
            context = browser.new_context(
                base_url=live_server.url, viewport={"width": width, "height": height}, bypass_csp=True
            )
            context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
            get_user_model().objects.filter(email=email).update(language=language)
            page = context.new_page()
            page.goto(reverse("account_login"))
            page.fill("input[name=login]", email)
            page.fill("input[name=password]", DEMO_PASSWORD)
            page.locator("main form button[type=submit]").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            if path is not None:
                page.goto(path)
                if "/accounts/reauthenticate/" in page.url:  # allauth asks again when the sign-in is not recent
                    page.fill("input[name=password]", DEMO_PASSWORD)
                    page.locator("main form button[type=submit]").click()
                    page.wait_for_url(lambda url: "/accounts/reauthenticate/" not in url)
            where = f"{language} {size} {name} ({page.url})"
            expected = reverse("mfa_authenticate") if path is None else path
            if not page.url.endswith(expected):
                problems.append(f"{where}: not the expected page {expected}")
            overflow = page.evaluate("document.documentElement.scrollWidth") - width
            if overflow > 0:
                problems.append(f"{where}: {overflow} px wider than the window")
            problems.extend(f"{where}: {violation}" for violation in _scan(page))
            if size == "phone":
                problems.extend(f"{where}: touch target {target}" for target in _small_targets(page))
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=SCREENSHOTS / f"{language}-{size}-{name}.png", full_page=True)
            context.close()
    assert not problems, "\n".join(problems)
