"""The staff list of partners (/staff/partners/): scoped by the one tenancy rule (a CAM reads the
partners they look after, a channel manager or an executive all of them, a partner user nothing),
searched by name, tax ID or e-mail domain, filtered by tier, country, status and onboarding state
(each an active filter chip that removes itself), sorted by name, tier, country or joining date,
paginated, and read in the same number of queries however many partners there are."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import Partner
from tests.factories import OnboardingStepFactory, PartnerFactory, TierFactory, partner_user
from tests.helpers.queries import queries_before_and_after

URL = "/staff/partners/"


@pytest.fixture
def as_role(client, mfa, world):
    def login(role):
        mfa(world[role])
        client.force_login(world[role])
        return client

    return login


def names(response) -> list[str]:
    return [partner.name for partner in response.context["partners"]]


def test_the_address_is_the_staff_list():
    assert reverse("staff_partner_list") == URL


@pytest.mark.parametrize(
    ("role", "seen"),
    [
        ("cam_a", ["Partner A"]),
        ("cam_other", ["Partner B"]),
        ("channel_manager", ["Partner A", "Partner B"]),
        ("executive", ["Partner A", "Partner B"]),
    ],
)
def test_each_staff_user_reads_the_partners_in_their_scope(as_role, role, seen):
    response = as_role(role).get(URL)
    assert response.status_code == 200
    assert names(response) == seen


@pytest.mark.parametrize("role", ["partner_a_admin", "partner_a_sales", "partner_b_user"])
def test_partner_users_are_refused(client, world, role):
    client.force_login(world[role])
    response = client.get(URL)
    assert response.status_code == 403
    assert "partners" not in response.context


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_cam_without_partners_is_told_so(as_role, world):
    from partners.roles import StaffRole
    from tests.factories import staff_user

    world["lonely"] = staff_user(StaffRole.CAM)
    html = as_role("lonely").get(URL).content.decode()
    assert "No partners are assigned to you yet." in html


@pytest.fixture
def many(world):
    """Partners with tiers, countries, tax IDs, states and onboarding steps to filter by."""
    program = world["partner_a"].program
    gold = TierFactory(program=program, rank=2, name="Gold")
    silver = TierFactory(program=program, rank=1, name="Silver")
    OnboardingStepFactory(program=program)
    PartnerFactory(name="Andes Tech", country="CL", tier=gold, tax_id="76.543.210-K", email_domain="andes.example")
    PartnerFactory(name="Bahia Cloud", country="BR", tier=silver, is_active=False)
    PartnerFactory(name="Canal Sul", country="AR", tier=silver)
    return {"gold": gold, "silver": silver}


@pytest.mark.parametrize(
    ("query", "seen"),
    [
        ({"q": "bahia"}, ["Bahia Cloud"]),
        ({"q": "76.543"}, ["Andes Tech"]),  # tax ID
        ({"q": "andes.example"}, ["Andes Tech"]),  # e-mail domain
        ({"country": "BR"}, ["Bahia Cloud", "Partner A"]),
        ({"status": "inactive"}, ["Bahia Cloud"]),
        ({"status": "active", "country": "AR"}, ["Canal Sul"]),
        ({"tier": "none"}, ["Partner A", "Partner B"]),
        ({"onboarding": "not_started"}, ["Andes Tech", "Bahia Cloud", "Canal Sul", "Partner A", "Partner B"]),
        ({"onboarding": "complete"}, []),
        (
            {"status": "nonsense", "country": "ZZ", "tier": "x"},
            ["Andes Tech", "Bahia Cloud", "Canal Sul", "Partner A", "Partner B"],
        ),
    ],
)
def test_search_and_filters(as_role, many, query, seen):
    assert names(as_role("channel_manager").get(URL, query)) == seen


def test_the_tier_filter_and_its_chip(as_role, many):
    response = as_role("channel_manager").get(URL, {"tier": many["silver"].pk, "q": "a"})
    assert names(response) == ["Bahia Cloud", "Canal Sul"]
    chips = {chip["label"]: chip["url"] for chip in response.context["chips"]}
    assert chips == {"Search: a": f"{URL}?tier={many['silver'].pk}", "Tier: Silver": f"{URL}?q=a"}
    html = response.content.decode()
    assert 'href="/staff/partners/?q=a"' in html and "Remove this filter" in html


def test_the_chips_of_country_status_and_onboarding(as_role, many):
    response = as_role("channel_manager").get(URL, {"country": "CL", "status": "active", "onboarding": "in_progress"})
    labels = [chip["label"] for chip in response.context["chips"]]
    assert labels == ["Country: Chile", "Status: Active", "Onboarding: In progress"]
    assert "No partner matches these filters." in response.content.decode()


def test_a_cam_filters_only_among_their_partners(as_role, many, world):
    response = as_role("cam_a").get(URL, {"country": "CL"})
    assert names(response) == ["Partner A"]  # a country outside their partners is no filter at all
    assert response.context["countries"] == [("BR", "Brazil")]
    assert response.context["chips"] == []


@pytest.mark.parametrize(
    ("sort", "seen"),
    [
        ("", ["Andes Tech", "Bahia Cloud", "Canal Sul", "Partner A", "Partner B"]),
        ("-name", ["Partner B", "Partner A", "Canal Sul", "Bahia Cloud", "Andes Tech"]),
        ("country", ["Canal Sul", "Bahia Cloud", "Partner A", "Andes Tech", "Partner B"]),
        ("tier", ["Bahia Cloud", "Canal Sul", "Andes Tech", "Partner A", "Partner B"]),  # no tier last
        ("-tier", ["Andes Tech", "Canal Sul", "Bahia Cloud", "Partner B", "Partner A"]),  # no tier last
    ],
)
def test_sorting(as_role, many, sort, seen):
    assert names(as_role("channel_manager").get(URL, {"sort": sort})) == seen


def test_sorting_by_joining_date_and_the_sort_links(as_role, many):
    Partner.objects.filter(name="Canal Sul").update(created_at=timezone.now() - datetime.timedelta(days=400))
    response = as_role("channel_manager").get(URL, {"sort": "joined", "status": "active"})
    assert names(response)[0] == "Canal Sul"
    html = response.content.decode()
    assert 'aria-sort="ascending"' in html
    assert "?sort=-joined&amp;status=active" in html  # the header turns the order round, keeping the filters


def test_pages_of_twenty_five(as_role, world):
    for number in range(30):
        PartnerFactory(name=f"Reseller {number:02}", program=world["partner_a"].program)
    client = as_role("channel_manager")
    first = client.get(URL, {"q": "reseller"})
    assert len(names(first)) == 25 and names(first)[0] == "Reseller 00"
    assert "q=reseller&amp;page=2" in first.content.decode()
    second = client.get(URL, {"q": "reseller", "page": 2})
    assert names(second) == [f"Reseller {number}" for number in range(25, 30)]


def test_the_figures_of_each_row(as_role, world):
    from tests.partners.test_staff_partner_page import _deals

    _deals(world, 10)  # 0 and 9 won
    partner_user(world["partner_a"], "sales")
    response = as_role("cam_a").get(URL)
    partner = response.context["partners"][0]
    assert (partner.deals_won, partner.member_count) == (2, 3)
    html = response.content.decode()
    assert "Deals won, last 12 months" in html
    assert reverse("staff_partner_detail", args=[world["partner_a"].pk]) in html


@pytest.mark.parametrize("role", ["cam_a", "channel_manager"])
def test_the_list_reads_in_the_same_number_of_queries_however_many_partners(as_role, world, role):
    from partners.services import partner_assign_cam

    program = world["partner_a"].program
    tier = TierFactory(program=program, rank=1, name="Silver")
    OnboardingStepFactory(program=program)

    def partners(count, start):
        for number in range(start, start + count):
            partner = PartnerFactory(name=f"Reseller {number:02}", program=program, tier=tier, country="AR")
            partner_user(partner, "admin")
            partner_assign_cam(actor=world["channel_manager"], partner=partner, cam=world["cam_a"])

    before, after = queries_before_and_after(
        as_role(role),
        URL + "?sort=tier",
        rows=lambda: partners(2, 0),
        more_rows=lambda: partners(40, 2),
    )
    assert before == after, (before, after)
    assert after <= 12


def test_the_staff_navigation_leads_to_the_list(as_role, client, world):
    html = as_role("cam_a").get(reverse("home")).content.decode()
    assert f'href="{URL}"' in html
    client.force_login(world["partner_a_admin"])
    assert f'href="{URL}"' not in client.get(reverse("home")).content.decode()
