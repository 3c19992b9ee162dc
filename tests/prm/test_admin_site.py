"""The staff admin's site: the sidebar grouped by workflow (within the user's permissions), the
"my queue" home (what waits on the user, read through the selectors, in constant queries) and dates
in the user's time zone with the zone's name."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from deals import services as deal_services
from deals.selectors import program_settings
from leads import services as lead_services
from partners.recruitment.selectors import applications_to_review
from partners.roles import StaffRole
from prm.admin_site import PrmAdminSite
from prm.sla.models import Deadline
from tests import factories
from tests.helpers.queries import inserts
from tests.leads.conftest import LEAD_DEFAULTS

INDEX = reverse("admin:index")


@pytest.fixture
def signed_in(client, mfa):
    """``signed_in(user)``: the test client signed in as the user, with the TOTP staff need."""

    def as_user(user):
        mfa(user)
        client.force_login(user)
        return client

    return as_user


def _deal(world, company, *, partner="partner_a", amount="1000.00"):
    owner = world["partner_a_admin"] if partner == "partner_a" else world["partner_b_user"]
    deal = deal_services.deal_create_draft(
        actor=owner,
        partner=world[partner],
        customer_company=company,
        customer_email=f"buyer@{company.lower().replace(' ', '')}.example",
        customer_country="BR",
        amount=Decimal(amount),
        currency="BRL",
        expected_close_date=datetime.date(2030, 1, 31),
    )
    return deal_services.deal_submit(actor=owner, deal=deal)


def _pool_lead(world, company):
    data = {**LEAD_DEFAULTS, "email": f"contact@{company.lower().replace(' ', '')}.example", "company": company}
    return lead_services.lead_create(actor=world["channel_manager"], **data)


def _cards(response) -> dict:
    return {card.key: card for card in response.context["queue_cards"]}


def _labels(card) -> list[str]:
    return [item.label for item in card.items]


# --- The sidebar grouped by workflow -------------------------------------------------------------


def _groups(response) -> dict[str, list[str]]:
    return {
        str(app["name"]): [model["object_name"].lower() for model in app["models"]]
        for app in response.context["available_apps"]
    }


def test_the_site_is_ours_and_the_apps_register_on_it():
    assert isinstance(admin.site, PrmAdminSite)
    assert any(model._meta.label == "deals.Deal" for model in admin.site._registry)


def test_the_sidebar_groups_models_by_workflow_within_the_users_permissions(world, signed_in):
    manager = _groups(signed_in(world["channel_manager"]).get(reverse("admin:deals_deal_changelist")))
    assert list(manager)[:4] == ["Deals", "Leads", "Partners", "Program & settings"]
    assert manager["Deals"] == ["deal", "houseaccount", "product"]
    assert manager["Leads"][0] == "lead" and "assignmentrule" in manager["Leads"]
    assert {"partner", "application", "tier"} <= set(manager["Partners"])
    assert {"dealprogramsettings", "leadprogramsettings", "program"} <= set(manager["Program & settings"])
    assert "auditevent" in manager["Audit"]

    # A CAM reviews no application and keeps no settings of the program: none of them is listed.
    cam = _groups(signed_in(world["cam_a"]).get(reverse("admin:deals_deal_changelist")))
    listed = {model for models in cam.values() for model in models}
    assert "application" not in listed and "criteriaitem" not in listed
    assert "deal" in cam["Deals"] and "lead" in cam["Leads"]
    assert all(models for models in cam.values())  # a group the user may not open is left out


def test_a_model_no_group_names_stays_under_its_app():
    from prm.admin_site import group_app_list

    app_dict = {
        "deals": {"name": "Deal registration", "app_label": "deals", "app_url": "/admin/deals/", "models": [
            {"object_name": "Deal", "name": "Deal registrations"},
        ]},
        "newapp": {"name": "New app", "app_label": "newapp", "app_url": "/admin/newapp/", "models": [
            {"object_name": "Thing", "name": "Things"},
        ]},
    }  # fmt: skip
    groups = group_app_list(app_dict)
    assert [(str(group["name"]), group["app_url"]) for group in groups] == [
        ("Deals", ""),
        ("New app", "/admin/newapp/"),
    ]


def test_an_apps_own_page_keeps_djangos_list(world, signed_in):
    response = signed_in(world["channel_manager"]).get(reverse("admin:app_list", args=["deals"]))
    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["deals"]


# --- The queue (admin home) ----------------------------------------------------------------------


@pytest.fixture
def queue(world):
    settings = program_settings(world["partner_a"].program)
    settings.second_approval_amount = Decimal("10000")
    settings.save()
    first = _deal(world, "First Submitted Co")
    second = _deal(world, "Second Submitted Co")
    other = _deal(world, "Other Partner Co", partner="partner_b")
    large = _deal(world, "Large Co", amount="50000")
    deal_services.deal_approve(actor=world["cam_a"], deal=large)  # first approval: a second is needed
    info = _deal(world, "Question Co")
    deal_services.deal_request_info(actor=world["cam_a"], deal=info, question="Who signs?")
    _pool_lead(world, "Pool Co")
    return {"first": first, "second": second, "other": other, "large": large}


def test_the_cam_sees_the_decisions_of_their_partners_and_nothing_else(world, queue, signed_in):
    cards = _cards(signed_in(world["cam_a"]).get(INDEX))
    assert list(cards) == ["deals.decisions"]  # no second approval, application review or pool for a CAM
    decisions = cards["deals.decisions"]
    # Oldest first; the other partner's deal, the large deal approved once and the question to the partner wait elsewhere.
    assert _labels(decisions) == ["First Submitted Co", "Second Submitted Co"]
    assert decisions.count == 2
    assert decisions.items[0].clock_state == "on_time" and decisions.items[0].due_at is not None


def test_the_channel_manager_sees_every_decision_the_second_approvals_and_the_pool(world, queue, signed_in):
    application = factories.ApplicationFactory(program=world["partner_a"].program, company_name="Applicant Co")
    cards = _cards(signed_in(world["channel_manager"]).get(INDEX))
    assert list(cards) == ["deals.decisions", "deals.second_approvals", "partners.applications", "leads.pool"]
    assert set(_labels(cards["deals.decisions"])) == {"First Submitted Co", "Second Submitted Co", "Other Partner Co"}
    assert _labels(cards["deals.second_approvals"]) == ["Large Co"]
    assert _labels(cards["partners.applications"]) == [application.company_name]
    assert _labels(cards["leads.pool"]) == ["Pool Co"]


def test_the_first_approver_is_not_asked_for_the_second_approval(world, queue, signed_in):
    deal_services.deal_approve(actor=world["channel_manager"], deal=_deal(world, "Manager Large Co", amount="60000"))
    cards = _cards(signed_in(world["channel_manager"]).get(INDEX))
    assert _labels(cards["deals.second_approvals"]) == ["Large Co"]
    other_manager = factories.staff_user(StaffRole.CHANNEL_MANAGER)
    cards = _cards(signed_in(other_manager).get(INDEX))
    assert set(_labels(cards["deals.second_approvals"])) == {"Large Co", "Manager Large Co"}


def test_the_acquisition_role_sees_the_applications_only(world, signed_in):
    acquisition = factories.staff_user(StaffRole.ACQUISITION)
    response = signed_in(acquisition).get(INDEX)
    assert list(_cards(response)) == ["partners.applications"]
    page = response.content.decode()
    assert "No application waits on a review." in page  # the card's empty state


def test_a_card_lists_the_five_most_urgent_and_links_to_the_whole_list(world, signed_in):
    deals = [_deal(world, f"Customer {number}") for number in range(6)]
    latest = Deadline.objects.filter(object_id=deals[5].pk, kind=deal_services.DECISION_KIND).get()
    Deadline.objects.filter(pk=latest.pk).update(due_at=timezone.now() - datetime.timedelta(hours=1))
    response = signed_in(world["cam_a"]).get(INDEX)
    card = _cards(response)["deals.decisions"]
    assert card.count == 6 and len(card.items) == 5
    assert card.items[0].label == "Customer 5" and card.items[0].clock_state == "breached"
    page = response.content.decode()
    assert 'class="sla-badge sla-breached"' in page
    assert "See all 6 items" in page and "status__exact=submitted&amp;second=no" in page


def test_every_card_has_an_empty_state(world, signed_in):
    response = signed_in(world["channel_manager"]).get(INDEX)
    page = response.content.decode()
    for text in (
        "No registration waits on your decision.",
        "No large registration waits on a second approval from you.",
        "No application waits on a review.",
        "The vendor pool is empty.",
    ):
        assert text in page
    assert all(card.count == 0 for card in response.context["queue_cards"])


def test_the_home_reads_only_and_its_queries_do_not_grow_with_the_rows(world, queue, signed_in):
    client = signed_in(world["channel_manager"])
    client.get(INDEX)  # warm the caches (content types, permissions)
    with CaptureQueriesContext(connection) as before:
        assert client.get(INDEX).status_code == 200
    assert not inserts(before)
    for number in range(8):
        _deal(world, f"More Co {number}", partner="partner_b")
        _pool_lead(world, f"More Pool Co {number}")
        factories.ApplicationFactory(program=world["partner_a"].program)
    deal_services.deal_approve(
        actor=world["cam_other"], deal=_deal(world, "More Large Co", partner="partner_b", amount="90000")
    )
    with CaptureQueriesContext(connection) as after:
        response = client.get(INDEX)
    assert len(after) == len(before)
    assert {card.count for card in response.context["queue_cards"]} >= {11, 8}


def test_the_queue_selectors_answer_nothing_without_the_permission(world):
    factories.ApplicationFactory(program=world["partner_a"].program)
    assert not applications_to_review(world["cam_a"]).exists()
    assert applications_to_review(world["channel_manager"]).count() == 1


# --- Dates in the user's zone --------------------------------------------------------------------


def test_the_admin_shows_dates_in_the_users_zone_with_its_name(world, signed_in):
    deal = _deal(world, "Zone Co")
    submitted = datetime.datetime(2026, 12, 8, 21, 0, tzinfo=datetime.UTC)
    type(deal).objects.filter(pk=deal.pk).update(submitted_at=submitted)
    user = world["cam_a"]
    client = signed_in(user)

    page = client.get(reverse("admin:deals_deal_changelist")).content.decode()
    assert "Dec. 8, 2026, 9 p.m. UTC" in page  # the program's zone while the user chose none

    user.time_zone = "America/Sao_Paulo"
    user.save(update_fields=["time_zone"])
    page = client.get(reverse("admin:deals_deal_changelist")).content.decode()
    assert "Dec. 8, 2026, 6 p.m. -03" in page and "9 p.m. UTC" not in page
    assert "America/Sao_Paulo" in page  # the header says which zone the dates are in

    user.time_zone, user.language = "Europe/Paris", "fr"
    user.save(update_fields=["time_zone", "language"])
    page = client.get(reverse("admin:deals_deal_change", args=[deal.pk])).content.decode()
    assert "8 décembre 2026 22:00 CET" in page


def test_the_date_format_names_the_zone_in_every_language():
    from django.utils import formats

    moment = datetime.datetime(2026, 12, 6, 6, 17, tzinfo=datetime.UTC)
    expected = {
        "en": "Dec. 6, 2026, 6:17 a.m. UTC",
        "fr": "6 décembre 2026 06:17 UTC",
        "pt-br": "6 de dezembro de 2026 às 06:17 UTC",
    }
    with timezone.override(zoneinfo.ZoneInfo("UTC")):
        for language, text in expected.items():
            with translation.override(language):
                assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == text, language
