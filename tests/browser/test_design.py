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


def main_pages() -> dict[str | None, list[tuple[str, str]]]:
    """(name, path) of the main pages, by the demo login that opens them (None: signed out)."""
    solaris = Partner.objects.get(memberships__user__email=PARTNER_ADMIN)
    deal = Deal.objects.filter(partner=solaris).exclude(status="draft").order_by("pk").first()
    lead = Lead.objects.filter(assignments__partner=solaris).order_by("pk").first()
    partner_pages = [
        ("home", reverse("home")),
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
    ]
    if lead is not None:
        partner_pages.append(("lead", reverse("lead_detail", args=[lead.pk])))
    return {
        None: [("login", reverse("account_login")), ("apply", reverse("apply"))],
        PARTNER_ADMIN: partner_pages,
        CAM: [
            ("staff-home", reverse("home")),
            ("staff-partners", reverse("staff_partner_list")),
            ("staff-partner", reverse("staff_partner_detail", args=[solaris.pk])),
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
                problems.extend(f"{where}: script error {error}" for error in errors)
                errors.clear()
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=SCREENSHOTS / f"{language}-{size}-{name}.png", full_page=True)
            context.close()
    assert not problems, "\n".join(problems)
