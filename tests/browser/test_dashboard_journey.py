"""The dashboards end to end in Chromium, in the readers' languages: an executive signs in (with the
MFA step), reads the program dashboard in French and drills down to a partner; a partner admin reads
their dashboard in Portuguese with the peers' percentiles, downloads a CSV export, and the page fits a
phone. Full-page screenshots go to ``var/screenshots/`` (not committed)."""

import datetime
import re
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.utils import formats, timezone, translation
from playwright.sync_api import expect

from analytics.services import rollup
from deals.models import DealStatus
from partners.roles import StaffRole
from partners.templatetags.partner_tiers import money
from tests import factories
from tests.analytics.conftest import history  # noqa: F401  (fixture)

from .conftest import log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
CLOSED_DAYS_AGO = 20
# The won revenue of Solaris and of its five peers of the Gold tier: Solaris does better than four of them.
SOLARIS = Decimal("48000")
PEERS = [Decimal("12000"), Decimal("15000"), Decimal("20000"), Decimal("30000"), Decimal("250000")]
LUMIERE = Decimal("9000")  # a French partner without a tier
PENDING = Decimal("6500")  # Solaris's registration awaiting a decision


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def flat(text: str) -> str:
    """Text with every run of spaces (no-break and narrow ones included) as one space."""
    return re.sub(r"\s+", " ", text.replace("\xa0", " ").replace("\u202f", " ")).strip()


def in_language(language: str, amount: Decimal, currency: str = "USD") -> str:
    with translation.override(language):
        return flat(money(amount, currency))


def month_of_the_deals(language: str) -> str:
    with translation.override(language):
        return flat(formats.date_format(days_ago(CLOSED_DAYS_AGO), "YEAR_MONTH_FORMAT"))


@pytest.fixture
def program_history(transactional_db, history):  # noqa: F811
    """A program of seven partners with deals won twenty days ago, rolled up: Solaris and five peers
    in the Gold tier (Brazil), Lumière in France without a tier."""
    program = factories.ProgramFactory()
    gold = factories.TierFactory(program=program, name="Gold")
    solaris = factories.PartnerFactory(program=program, name="Solaris Integração", country="BR", tier=gold)
    peers = [
        factories.PartnerFactory(program=program, name=f"Peer {n}", country="BR", tier=gold)
        for n in range(1, len(PEERS) + 1)
    ]
    lumiere = factories.PartnerFactory(program=program, name="Lumière Solutions", country="FR")
    for partner, amount in [(solaris, SOLARIS), *zip(peers, PEERS, strict=True), (lumiere, LUMIERE)]:
        history.deal(
            partner,
            submitted=days_ago(CLOSED_DAYS_AGO + 20),
            status=DealStatus.WON,
            decided=days_ago(CLOSED_DAYS_AGO + 10),
            closed=days_ago(CLOSED_DAYS_AGO),
            currency="USD",
            final=amount,
        )
    history.deal(solaris, submitted=days_ago(5), amount=PENDING, currency="USD")  # the open pipeline
    history.offer(solaris, offered=days_ago(4), accepted=True)
    rollup(since=days_ago(400), until=days_ago(1))  # the dashboards read the rolled-up days
    return {"program": program, "solaris": solaris, "lumiere": lumiere, "peers": peers}


def kpi_card(page, label):
    """The key figure's card whose label is exactly ``label``."""
    return page.locator(".kpi").filter(has=page.locator("div.text-secondary", has_text=re.compile(f"^{label}$")))


def test_an_executive_reads_the_program_dashboard_in_french_and_drills_down_to_a_partner(
    browser, live_server, program_history, mfa
):
    solaris = program_history["solaris"]
    executive = factories.staff_user(StaffRole.EXECUTIVE, language="fr")
    totp = mfa(executive)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # 1. The executive signs in through the form and the MFA step.
    log_in(page, executive.email, factories.PASSWORD)
    page.fill("input[name=code]", totp())
    page.locator("main form button[type=submit], form button[type=submit]").first.click()
    page.wait_for_url(lambda url: "/2fa/" not in url and "/accounts/" not in url)

    # 2. The program dashboard, from the navigation, in French.
    page.locator("header nav a[href='/staff/dashboard/']").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/staff/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Tableau de bord du programme")
    expect(page.locator(".page-header")).to_contain_text("7 partenaires dans votre périmètre")
    expect(page.locator("main")).to_contain_text("7 partenaires sur 7 ont eu une activité sur la période.")
    main = flat(page.locator("main").inner_text())
    assert "Chiffres clés" in main and "Taux de réussite" in main
    total = SOLARIS + sum(PEERS) + LUMIERE
    assert flat(kpi_card(page, "Chiffre d’affaires gagné").locator(".kpi-value").inner_text()) == in_language(
        "fr", total
    )
    expect(kpi_card(page, "Affaires gagnées").locator(".kpi-value")).to_have_text("7")

    # The figures by country and by tier, largest first.
    countries = page.locator("section[aria-labelledby=country-h]")
    expect(countries.locator("h2")).to_contain_text("Chiffre d’affaires gagné par pays (USD)")
    rows = [flat(text) for text in countries.locator("tbody tr").all_inner_texts()]
    assert rows == [
        f"Brésil {in_language('fr', SOLARIS + sum(PEERS))}",
        f"France {in_language('fr', LUMIERE)}",
    ]
    tiers = page.locator("section[aria-labelledby=tier-h]")
    expect(tiers.locator("h2")).to_contain_text("Chiffre d’affaires gagné par niveau (USD)")
    rows = [flat(text) for text in tiers.locator("tbody tr").all_inner_texts()]
    assert rows == [f"Gold {in_language('fr', SOLARIS + sum(PEERS))}", f"Aucun niveau {in_language('fr', LUMIERE)}"]

    # The ranking lists every partner with the reasons of its score, in French: Solaris first (the
    # only one with two registrations, and more revenue than five of the six others).
    ranking = page.locator("section[aria-labelledby=ranking-h]")
    expect(ranking.locator("h2")).to_have_text("Classement")
    expect(ranking.locator("thead")).to_contain_text("Partenaire")
    expect(ranking.locator("tbody tr")).to_have_count(7)
    for name in ("Solaris Integração", "Lumière Solutions", *(f"Peer {n}" for n in range(1, 6))):
        expect(ranking.locator("tbody tr", has_text=name)).to_have_count(1)
    row = ranking.locator("tbody tr").first
    expect(row).to_contain_text("Solaris Integração")
    expect(row).to_contain_text("Brésil · Gold")
    expect(row).to_contain_text(re.compile(r"Chiffre d’affaires gagné\s: meilleur que 83\s%"))
    expect(row).to_contain_text(re.compile(r"Enregistrements soumis\s: meilleur que 100\s%"))
    best = ranking.locator("tbody tr", has_text="Peer 5")
    expect(best).to_contain_text(re.compile(r"Chiffre d’affaires gagné\s: meilleur que 100\s%"))
    last = ranking.locator("tbody tr").last  # the least revenue, no tier
    expect(last.locator("td").first).to_have_text("7")
    expect(last.locator("td").nth(1)).to_have_text(re.compile(r"^\s*Lumière Solutions\s+France\s*$"))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "journey-fr-executive-program.png", full_page=True)

    # 3. A click on Solaris in the ranking opens its dashboard, in French.
    row.locator(f"a[href^='/staff/dashboard/partners/{solaris.pk}/']").click()
    page.wait_for_url(lambda url: urlparse(url).path == f"/staff/dashboard/partners/{solaris.pk}/")
    expect(page.locator("h1")).to_have_text("Tableau de bord")
    expect(page.locator(".page-header")).to_contain_text("Solaris Integração")
    expect(page.locator(".page-header a")).to_contain_text(["Page du partenaire"])
    expect(page.locator(".breadcrumb")).to_contain_text("Tableau de bord du programme")
    revenue_card = kpi_card(page, "Chiffre d’affaires gagné")
    assert flat(revenue_card.locator(".kpi-value").inner_text()) == in_language("fr", SOLARIS) == "48 000 USD"
    expect(revenue_card).to_contain_text(re.compile(r"Meilleur que 80\s?% des pairs"))
    expect(kpi_card(page, "Taux de réussite").locator(".kpi-value")).to_contain_text(re.compile(r"100,0\s?%"))
    expect(page.locator("main")).to_contain_text("Pairs : les 6 partenaires du niveau Gold, anonymement.")
    revenue = page.locator("section[aria-labelledby=revenue-h]")
    expect(revenue.locator("h2")).to_contain_text("Chiffre d’affaires gagné par mois (USD)")
    expect(revenue.locator("svg.chart rect.chart-bar")).to_have_count(12)
    expect(revenue.locator("caption")).to_have_text("Les mêmes chiffres que le graphique.")
    month = revenue.locator("tbody tr", has_text=month_of_the_deals("fr"))
    assert flat(month.locator("td").last.inner_text()) == in_language("fr", SOLARIS)
    pipeline = page.locator("section[aria-labelledby=pipeline-h]")
    waiting = flat(pipeline.locator("tbody tr", has_text="En attente de décision").inner_text())
    assert waiting == f"En attente de décision 1 {in_language('fr', PENDING)}"
    # A staff reader sees no partner's export links on the drill-down.
    expect(page.locator("a[href^='/dashboard/']")).to_have_count(0)
    page.screenshot(path=SCREENSHOTS / "journey-fr-executive-drilldown.png", full_page=True)
    assert errors == []
    context.close()


def test_a_partner_admin_reads_the_dashboard_in_portuguese_with_the_peers_and_exports_it(
    browser, live_server, program_history
):
    solaris = program_history["solaris"]
    admin = factories.partner_user(solaris, "admin", language="pt-br")
    context = browser.new_context(base_url=live_server.url, locale="pt-BR", viewport={"width": 1366, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    # 1. The admin signs in and opens the dashboard from the navigation, in Portuguese.
    log_in(page, admin.email, factories.PASSWORD)
    page.locator("header nav a[href='/dashboard/']").click()
    page.wait_for_url(lambda url: urlparse(url).path == "/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "pt-br")
    expect(page.locator("h1")).to_have_text("Painel")
    expect(page.locator(".page-header")).to_contain_text("Solaris Integração")
    expect(page.locator("main")).to_contain_text("Pares: os 6 parceiros do nível Gold, anonimamente.")
    main = page.locator("main").inner_text()
    for peer in program_history["peers"]:
        assert peer.name not in main  # compared anonymously
    assert "250" not in main  # nor the best peer's revenue

    # 2. The key figures, with the percentile among the peers.
    revenue_card = kpi_card(page, "Receita ganha")
    assert flat(revenue_card.locator(".kpi-value").inner_text()) == "USD 48.000"
    assert in_language("pt-br", SOLARIS) == "USD 48.000"
    expect(revenue_card).to_contain_text("Melhor que 80% dos pares")
    expect(kpi_card(page, "Negócios ganhos").locator(".kpi-value")).to_have_text("1")
    expect(kpi_card(page, "Taxa de ganho").locator(".kpi-value")).to_contain_text(re.compile(r"100,0\s?%"))
    expect(kpi_card(page, "Taxa de ganho")).to_contain_text("Melhor que 50% dos pares")  # all six at 100 %

    # 3. The monthly revenue chart and its accessible table.
    revenue = page.locator("section[aria-labelledby=revenue-h]")
    expect(revenue.locator("h2")).to_contain_text("Receita ganha por mês (USD)")
    chart = revenue.locator("svg.chart")
    expect(chart).to_have_attribute("role", "img")
    expect(chart.locator("rect.chart-bar")).to_have_count(12)
    tall = [bar for bar in chart.locator("rect.chart-bar").all() if float(bar.get_attribute("height")) > 0]
    assert len(tall) == 1  # one month with revenue
    expect(tall[0].locator("title")).to_have_text(re.compile(r"^\w+: USD 48\.000$"))
    table = revenue.locator("table")
    expect(table.locator("caption")).to_have_text("Os mesmos números do gráfico.")
    expect(table.locator("thead")).to_contain_text("Mês")
    expect(table.locator("tbody tr")).to_have_count(12)
    month = table.locator("tbody tr", has_text=month_of_the_deals("pt-br"))
    expect(month.locator("td").last).to_have_text("USD 48.000")

    pipeline = page.locator("section[aria-labelledby=pipeline-h]")
    expect(pipeline.locator("h2")).to_have_text("Pipeline aberto por etapa")
    expect(pipeline.locator("svg.chart rect.chart-bar").first.locator("title")).to_have_text(
        re.compile(r"^aguardando decisão: USD 6\.500$", re.IGNORECASE)  # the table capitalises it, the chart not
    )
    expect(pipeline.locator("tbody tr").first.locator("td")).to_have_text(["Aguardando decisão", "1", "USD 6.500"])
    funnel = page.locator("section[aria-labelledby=funnel-h]")
    expect(funnel.locator("tbody tr td.text-end")).to_have_text(["1", "1", "0"])  # offered, accepted, converted

    # 4. The revenue table as CSV: the header in Portuguese, the amount with its cents.
    with page.expect_download() as download_info:
        revenue.locator(".card-actions a", has_text="CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("dashboard-revenue-") and download.suggested_filename.endswith(".csv")
    lines = Path(download.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Mês,Receita ganha (USD)"
    assert f"{days_ago(CLOSED_DAYS_AGO).isoformat()[:7]},48000.00" in lines
    assert len(lines) == 13
    with page.expect_download() as download_info:
        page.locator(".page-header a", has_text="Indicadores (CSV)").click()
    figures = Path(download_info.value.path()).read_text(encoding="utf-8").splitlines()
    header = figures[0].split(",")
    assert header[:3] == ["Indicador", "Valor", "Período anterior"] and header[-1] == "Percentil entre os pares"
    assert "Receita ganha,48000.00,0.00,,80" in figures  # nothing won the period before: no change
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "journey-pt-br-partner-dashboard.png", full_page=True)
    assert errors == []
    context.close()

    # 5. On a phone, the dashboard is no wider than the window.
    phone = browser.new_context(base_url=live_server.url, locale="pt-BR", viewport={"width": 390, "height": 844})
    phone.set_default_timeout(10_000)
    page = phone.new_page()
    log_in(page, admin.email, factories.PASSWORD)
    page.goto("/dashboard/")
    expect(page.locator("h1")).to_have_text("Painel")
    expect(kpi_card(page, "Receita ganha")).to_contain_text("Melhor que 80% dos pares")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    page.screenshot(path=SCREENSHOTS / "journey-pt-br-partner-dashboard-phone.png", full_page=True)
    phone.close()
