"""The staff admin on a laptop (1366 px), in each language, over the demo data: the queue home, the
change lists staff work in, a deal's decision page and the audit trail. No page and no change list is
wider than its box (the change list scrolls inside ``.results``, so both are measured), the browser
reports no error, and the accessibility scan finds no serious or critical violation. Screenshots go to
``var/screenshots/admin-*.png``."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from deals.selectors import deals_visible_to
from leads.models import Lead
from tests.browser.test_design import SCREENSHOTS, _scan, demo  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 1366, 900
MANAGER = "manager@vendor.example"
CAM = "cam@vendor.example"


def admin_pages(user) -> list[tuple[str, str]]:
    """The pages of the admin the demo login works in (a CAM reviews no application and keeps no
    users), with a deal and a lead in the login's scope: the largest deal, a lead held by a partner."""
    deal = deals_visible_to(user).order_by("-amount", "pk").first()
    lead = Lead.objects.visible_to(user).filter(partner__isnull=False).order_by("pk").first()
    pages = [
        ("home", reverse("admin:index")),
        ("deals", reverse("admin:deals_deal_changelist")),
        ("deal", reverse("admin:deals_deal_change", args=[deal.pk])),
        ("audit-trail", reverse("admin:audit_auditevent_changelist")),
        ("leads", reverse("admin:leads_lead_changelist")),
        ("lead", reverse("admin:leads_lead_change", args=[lead.pk])),
        ("partners", reverse("admin:partners_partner_changelist")),
    ]
    if user.email == MANAGER:
        pages += [
            ("applications", reverse("admin:partners_application_changelist")),
            ("users", reverse("admin:accounts_user_changelist")),
        ]
    return pages


OVERFLOW = """() => {
    const page = document.documentElement.scrollWidth - window.innerWidth;
    const boxes = Array.from(document.querySelectorAll('.results, .module, #content'))
        .map(box => box.scrollWidth - box.clientWidth);
    return Math.max(page, 0, ...boxes);
}"""


@pytest.mark.parametrize("language", ["en", "pt-br", "fr"])
@pytest.mark.parametrize("email", [MANAGER, CAM])
def test_the_admin_fits_a_laptop_and_passes_the_accessibility_scan(browser, live_server, demo, language, email):  # noqa: F811
    user = get_user_model().objects.get(email=email)
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT}, bypass_csp=True
    )
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    errors, problems = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    role = "manager" if email == MANAGER else "cam"
    for name, path in admin_pages(user):
        response = page.goto(path)
        where = f"{language} {role} {name} ({path})"
        if response.status != 200 or response.url != f"{live_server.url}{path}":
            problems.append(f"{where}: answered {response.status} at {response.url}")
            continue
        assert page.locator("html").get_attribute("lang") == language, where
        overflow = page.evaluate(OVERFLOW)
        if overflow > 0:
            problems.append(f"{where}: {overflow} px wider than its box")
        problems.extend(f"{where}: {violation}" for violation in _scan(page))
        problems.extend(f"{where}: script error {error}" for error in errors)
        errors.clear()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"admin-{language}-{role}-{name}.png", full_page=True)
    context.close()
    assert not problems, "\n".join(problems)


def test_the_admin_home_shows_the_managers_queue(browser, live_server, demo):  # noqa: F811
    client = Client()
    client.force_login(get_user_model().objects.get(email=MANAGER))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context = browser.new_context(base_url=live_server.url, viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])
    page = context.new_page()
    page.goto(reverse("admin:index"))
    titles = page.locator(".queue-card h2").all_inner_texts()
    assert [title.split("\n")[0].strip() for title in titles] == [
        "Deals awaiting your decision",
        "Second approvals",
        "Applications to review",
        "Leads to place",
    ]
    assert page.locator(".queue-card .sla-badge").count() >= 1
    # The program's colour reaches the admin's buttons and links (/brand.css under admin.css).
    primary = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()")
    assert primary
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith('"Inter Variable"')
    context.close()
