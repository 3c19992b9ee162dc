import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from catalogue.models import Product
from deals import services
from deals.models import Deal, DealStatus
from prm.audit.models import AuditEvent
from prm.sla.models import Deadline, DeadlineState

CLOSE = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()


def _form(**overrides):
    data = {
        "customer_company": "Padaria Estrela Ltda",
        "customer_email": "compras@estrela.com.br",
        "customer_tax_id": "12.345.678/0001-90",
        "customer_country": "BR",
        "amount": "15000.00",
        "currency": "BRL",
        "expected_close_date": CLOSE,
        "notes": "Two sites",
    }
    data.update(overrides)
    return data


@pytest.fixture
def sales(client, world):
    client.force_login(world["partner_a_sales"])
    return client


def test_an_empty_list_says_what_to_do(sales):
    response = sales.get(reverse("deal_list"))
    assert response.status_code == 200
    assert "No deal registrations yet" in response.content.decode()


def test_register_and_submit_from_the_form(sales, world):
    product = Product.objects.create(name_en="Firewall")
    response = sales.post(reverse("deal_create"), {**_form(), "products": [product.pk], "submit": "1"})
    deal = Deal.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("deal_detail", args=[deal.pk])
    assert deal.status == DealStatus.SUBMITTED and deal.partner == world["partner_a"]
    assert deal.created_by == world["partner_a_sales"]
    assert list(deal.products.all()) == [product]
    page = sales.get(response["Location"]).content.decode()
    assert "decision due in" in page
    assert "Submitted for approval" in page  # the timeline


def test_save_a_draft_then_edit_and_delete_it(sales):
    sales.post(reverse("deal_create"), {**_form(), "save": "1"})
    deal = Deal.objects.get()
    assert deal.status == DealStatus.DRAFT
    response = sales.post(reverse("deal_edit", args=[deal.pk]), {**_form(amount="99.50"), "save": "1"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.amount == Decimal("99.50")
    response = sales.post(reverse("deal_delete", args=[deal.pk]))
    assert response.status_code == 302 and not Deal.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("customer_company", ""),
        ("customer_country", "XX"),
        ("customer_email", "not-an-email"),
        ("amount", "-5"),
        ("amount", "1e20"),
        ("currency", "GBP"),
        ("expected_close_date", "2001-01-01"),
        ("expected_close_date", "tomorrow"),
    ],
)
def test_bad_input_is_explained_and_saves_nothing(sales, field, value):
    response = sales.post(reverse("deal_create"), {**_form(**{field: value}), "submit": "1"})
    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Deal.objects.exists()


def test_a_submitted_deal_is_not_editable(sales, world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    response = sales.get(reverse("deal_edit", args=[deal.pk]))
    assert response.status_code == 302
    response = sales.post(reverse("deal_delete", args=[deal.pk]))
    assert response.status_code == 400
    assert Deal.objects.filter(pk=deal.pk).exists()


def test_another_partners_deal_is_missing(client, world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"])
    client.force_login(world["partner_b_user"])
    for name in ("deal_detail", "deal_edit"):
        assert client.get(reverse(name, args=[deal.pk])).status_code == 404
    assert client.post(reverse("deal_submit", args=[deal.pk])).status_code == 404
    deal.refresh_from_db()
    assert deal.status == DealStatus.DRAFT
    assert AuditEvent.objects.filter(action="access.denied").exists()


def test_a_conflict_is_announced_without_naming_the_other_partner(client, world, make_deal):
    make_deal(world["partner_b_user"], world["partner_b"], submit=True)
    mine = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    assert mine.conflict_flag
    client.force_login(world["partner_a_sales"])
    page = client.get(reverse("deal_detail", args=[mine.pk])).content.decode()
    assert "A conflict check is under way" in page
    assert "Partner B" not in page
    listing = client.get(reverse("deal_list")).content.decode()
    assert "conflict check under way" in listing and "Partner B" not in listing


def test_answering_a_question_restarts_the_clock(sales, world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    services.deal_request_info(actor=world["cam_a"], deal=deal, question="Which sites?")
    page = sales.get(reverse("deal_detail", args=[deal.pk])).content.decode()
    assert "Which sites?" in page and "clock paused" in page
    assert sales.post(reverse("deal_answer", args=[deal.pk]), {"answer": ""}).status_code == 400
    response = sales.post(reverse("deal_answer", args=[deal.pk]), {"answer": "São Paulo and Campinas"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == DealStatus.SUBMITTED and deal.info_answer == "São Paulo and Campinas"
    clock = Deadline.objects.get(object_id=deal.pk, kind=services.DECISION_KIND)
    assert clock.state == DeadlineState.OPEN


def test_after_approval_the_partner_works_and_closes_the_deal(sales, world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    deal = services.deal_approve(actor=world["cam_a"], deal=deal)
    page = sales.get(reverse("deal_detail", args=[deal.pk])).content.decode()
    assert "this customer is yours until" in page
    response = sales.post(reverse("deal_progress", args=[deal.pk]), {"stage": "negotiation", "amount": "1500"})
    assert response.status_code == 302
    response = sales.post(reverse("deal_extension", args=[deal.pk]), {"reason": "Budget moved to Q3"})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.stage == "negotiation" and deal.amount == Decimal("1500") and deal.extension_requested_at
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = sales.post(reverse("deal_won", args=[deal.pk]), {"final_amount": "1400", "closed_on": future})
    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()
    today = timezone.localdate().isoformat()
    response = sales.post(reverse("deal_won", args=[deal.pk]), {"final_amount": "1400", "closed_on": today})
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.status == DealStatus.WON and deal.final_amount == Decimal("1400")
    assert sales.post(reverse("deal_lost", args=[deal.pk]), {"reason": "x"}).status_code == 400


def test_closing_as_lost_needs_a_reason(sales, world, make_deal):
    deal = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    )
    assert sales.post(reverse("deal_lost", args=[deal.pk]), {"reason": " "}).status_code == 400
    assert sales.post(reverse("deal_lost", args=[deal.pk]), {"reason": "Price"}).status_code == 302
    deal.refresh_from_db()
    assert deal.status == DealStatus.LOST and deal.decision_reason == "Price"


def test_filters_and_search(sales, world, make_deal):
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Alpha Ltda")
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Beta SA", submit=True)
    page = sales.get(reverse("deal_list"), {"status": "open"}).content.decode()
    assert "Beta SA" in page and "Alpha Ltda" not in page
    page = sales.get(reverse("deal_list"), {"q": "alpha"}).content.decode()
    assert "Alpha Ltda" in page and "Beta SA" not in page
    page = sales.get(reverse("deal_list"), {"status": "won"}).content.decode()
    assert "No registration matches these filters" in page
    assert sales.get(reverse("deal_list"), {"status": "<script>", "page": "x"}).status_code == 200


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("deal_list")).status_code == 200
    return len(queries)


def test_the_list_keeps_its_query_count_as_deals_grow(sales, world, make_deal):
    for index in range(3):
        make_deal(world["partner_a_admin"], world["partner_a"], customer_company=f"Cliente {index}", submit=True)
    few = _list_queries(sales)
    for index in range(3, 30):
        make_deal(world["partner_a_admin"], world["partner_a"], customer_company=f"Cliente {index}", submit=index % 2)
    assert _list_queries(sales) == few


def test_staff_are_sent_to_the_admin(client, world, mfa, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    mfa(world["cam_a"])
    client.force_login(world["cam_a"])
    assert client.get(reverse("deal_list"))["Location"] == reverse("admin:deals_deal_changelist")
    assert client.get(reverse("deal_detail", args=[deal.pk]))["Location"] == reverse(
        "admin:deals_deal_change", args=[deal.pk]
    )
    mfa(world["cam_other"])
    client.force_login(world["cam_other"])
    assert client.get(reverse("deal_detail", args=[deal.pk])).status_code == 404


def test_the_home_counts_deals_and_won_revenue_for_the_tier(client, world, make_deal):
    from tests.factories import TierFactory

    partner = world["partner_a"]
    partner.program.currency = "BRL"
    partner.program.save()
    partner.tier = TierFactory(program=partner.program, rank=1)
    partner.save()
    TierFactory(program=partner.program, rank=2, requirements={"deals.won_revenue": 50000, "deals.approved": 2})
    won = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(world["partner_a_admin"], partner, submit=True, currency="BRL")
    )
    services.deal_close_won(
        actor=world["partner_a_admin"], deal=won, final_amount="12345", closed_on=timezone.localdate()
    )
    make_deal(world["partner_a_admin"], partner, customer_company="Outra Empresa", submit=True)
    client.force_login(world["partner_a_sales"])
    page = client.get(reverse("home")).content.decode()
    # The KPI tile: the figure is the link, named by its label for screen readers.
    assert re.search(
        rf'href="{reverse("deal_list")}\?status=open"[^>]*>1<span class="visually-hidden"> [^<]*awaiting a decision</span></a>',
        page,
    )
    assert "(you: BRL 12,345)" in page
    assert "(you: 1)" in page


def test_the_list_in_french(client, world, make_deal):
    make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    user = world["partner_a_sales"]
    type(user).objects.filter(pk=user.pk).update(language="fr")
    client.force_login(user)
    page = client.get(reverse("deal_list")).content.decode()
    assert "Enregistrements d" in page


def test_each_status_has_the_colour_of_its_meaning():
    from prm import ui

    meanings = {"draft": "neutral", "submitted": "progress", "info_requested": "action", "approved": "good"}
    meanings |= {"rejected": "bad", "won": "good", "lost": "bad", "expired": "neutral"}
    assert {code: ui.meaning(code) for code in DealStatus.values} == meanings


def _order(page: str, *names: str) -> list[str]:
    return sorted(names, key=page.index)


def test_the_list_sorts_by_a_known_column_and_ignores_any_other(sales, world, make_deal):
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Beta SA", amount=Decimal("300"))
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Alpha Ltda", amount=Decimal("900"))
    make_deal(
        world["partner_a_admin"], world["partner_a"], customer_company="Gama ME", amount=Decimal("50"), submit=True
    )
    names = ("Alpha Ltda", "Beta SA", "Gama ME")
    assert _order(sales.get(reverse("deal_list")).content.decode(), *names) == ["Gama ME", "Alpha Ltda", "Beta SA"]
    page = sales.get(reverse("deal_list"), {"sort": "customer"}).content.decode()
    assert _order(page, *names) == ["Alpha Ltda", "Beta SA", "Gama ME"]
    assert 'aria-sort="ascending"' in page
    page = sales.get(reverse("deal_list"), {"sort": "-amount"}).content.decode()
    assert _order(page, *names) == ["Alpha Ltda", "Beta SA", "Gama ME"]
    page = sales.get(reverse("deal_list"), {"sort": "status", "status": "draft"}).content.decode()
    assert _order(page, "Alpha Ltda", "Beta SA") == ["Beta SA", "Alpha Ltda"]  # same status: oldest first
    assert "Gama ME" not in page
    for unknown in ("partner", "-customer_email", "--amount", "<script>", "amount;drop"):
        response = sales.get(reverse("deal_list"), {"sort": unknown})
        assert response.status_code == 200
        assert _order(response.content.decode(), *names) == ["Gama ME", "Alpha Ltda", "Beta SA"]
    with CaptureQueriesContext(connection) as default:
        sales.get(reverse("deal_list"))
    for sort in ("customer", "-status", "amount", "-close", "created"):
        with CaptureQueriesContext(connection) as sorted_queries:
            assert sales.get(reverse("deal_list"), {"sort": sort}).status_code == 200
        assert len(sorted_queries) == len(default)


def test_active_filters_are_chips_that_remove_themselves(sales, world, make_deal):
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Alpha Ltda")
    page = sales.get(reverse("deal_list"), {"status": "draft", "q": "alpha", "sort": "amount"}).content.decode()
    assert f'href="{reverse("deal_list")}?q=alpha&amp;sort=amount"' in page  # the status chip drops the status
    assert f'href="{reverse("deal_list")}?status=draft&amp;sort=amount"' in page  # the search chip drops the search
    assert 'name="sort" value="amount"' in page  # filtering again keeps the order
    assert "data-search-box" in page


@pytest.mark.parametrize("language", ["en", "pt-br", "fr"])
def test_date_inputs_hold_iso_dates_in_every_language(client, world, make_deal, language):
    deal = services.deal_approve(
        actor=world["cam_a"], deal=make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    )
    draft = make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Outra Empresa")
    user = world["partner_a_admin"]
    type(user).objects.filter(pk=user.pk).update(language=language)
    client.force_login(user)
    page = client.get(reverse("deal_detail", args=[deal.pk])).content.decode()
    today = timezone.localdate().isoformat()
    assert re.search(rf'<input type="date" name="closed_on" value="{today}"', page)
    page = client.get(reverse("deal_edit", args=[draft.pk])).content.decode()
    close = draft.expected_close_date.isoformat()
    assert re.search(rf'<input type="date" name="expected_close_date" value="{close}"', page)


def _selected(page: str, name: str) -> str:
    select = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected>', select).group(1)


@pytest.mark.parametrize(
    ("country", "program_currency", "currency"),
    [("BR", "USD", "BRL"), ("FR", "USD", "EUR"), ("PT", "BRL", "EUR"), ("US", "EUR", "USD"), ("CA", "BRL", "BRL")],
)
def test_the_form_offers_the_partners_country_and_its_currency(sales, world, country, program_currency, currency):
    partner = world["partner_a"]
    partner.country = country
    partner.save()
    partner.program.currency = program_currency
    partner.program.save()
    page = sales.get(reverse("deal_create")).content.decode()
    assert _selected(page, "customer_country") == country
    assert _selected(page, "currency") == currency


def test_the_pages_name_the_customer_country_in_the_readers_language(client, world, make_deal):
    deal = make_deal(world["partner_a_admin"], world["partner_a"], submit=True)
    user = world["partner_a_sales"]
    type(user).objects.filter(pk=user.pk).update(language="pt-br")
    client.force_login(user)
    for page in (
        client.get(reverse("deal_list")).content.decode(),
        client.get(reverse("deal_detail", args=[deal.pk])).content.decode(),
    ):
        assert "Brasil" in page
        assert not re.search(r">\s*BR\s*<", page)


def test_a_searched_list_is_paged_without_counting_its_matches(sales, world, make_deal):
    from deals.views import PAGE_SIZE

    for index in range(PAGE_SIZE):
        make_deal(world["partner_a_admin"], world["partner_a"], customer_company=f"Searchco {index:02d}")
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Other Ltda")

    def rows(page) -> int:
        return page.count("<tr>") - 1  # the header's row

    with CaptureQueriesContext(connection) as queries:
        page = sales.get(reverse("deal_list"), {"q": "searchco"}).content.decode()
    assert not any("COUNT(" in query["sql"] and '"deals_deal"' in query["sql"] for query in queries.captured_queries)
    assert rows(page) == PAGE_SIZE and 'rel="next"' not in page  # exactly one page: no next page
    make_deal(world["partner_a_admin"], world["partner_a"], customer_company="Searchco 99")
    page = sales.get(reverse("deal_list"), {"q": "searchco"}).content.decode()
    assert rows(page) == PAGE_SIZE and 'rel="next"' in page and "Page 1<" in page and " of " not in page
    second = sales.get(reverse("deal_list"), {"q": "searchco", "page": 2}).content.decode()
    assert rows(second) == 1 and 'rel="prev"' in second and 'rel="next"' not in second and "Page 2<" in second
    for wrong in ("0", "-3", "x"):
        page = sales.get(reverse("deal_list"), {"q": "searchco", "page": wrong}).content.decode()
        assert rows(page) == PAGE_SIZE and 'rel="prev"' not in page
    assert (
        "No registration matches these filters"
        in sales.get(reverse("deal_list"), {"q": "searchco", "page": 9}).content.decode()
    )
