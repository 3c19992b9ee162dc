"""The partner home and the staff pages: what they show and a query budget that does not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.services import partner_assign_cam
from prm.notifications.services import notify
from tests.factories import PartnerFactory, TierFactory, partner_user


def queries(client, url, status=200) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == status
    return len(captured)


@pytest.fixture
def partner_home(client, world):
    partner = world["partner_a"]
    partner.tier = TierFactory(program=partner.program, name="Gold")
    partner.save()
    cam = world["cam_a"]
    type(cam).objects.filter(pk=cam.pk).update(first_name="Carla", last_name="Manager")
    client.force_login(world["partner_a_admin"])
    return client


def test_partner_home_shows_partner_tier_and_cam_contact(partner_home, world):
    html = partner_home.get(reverse("home")).content.decode()
    assert "Welcome, Partner A" in html
    assert "Gold" in html
    assert "Carla Manager" in html
    assert f"mailto:{world['cam_a'].email}" in html
    assert world["cam_other"].email not in html
    assert "Partner B" not in html


def test_partner_home_without_tier_or_cam_says_so(client, world):
    client.force_login(world["partner_b_user"])
    from guardian.shortcuts import remove_perm

    remove_perm("partners.manage_partner", world["cam_other"], world["partner_b"])
    html = client.get(reverse("home")).content.decode()
    assert "No tier assigned yet." in html
    assert "No channel account manager is assigned to you yet." in html


def test_partner_home_shows_the_latest_notifications(partner_home, world):
    for index in range(7):
        notify(
            recipient=world["partner_a_admin"],
            kind="account.token_created",
            dedupe_key=f"n{index}",
            params={"name": f"key-{index}"},
        )
    notify(
        recipient=world["partner_a_sales"],
        kind="account.token_created",
        dedupe_key="other",
        params={"name": "not-mine"},
    )
    html = partner_home.get(reverse("home")).content.decode()
    assert html.count("A new API token was created") == 5
    assert "key-6" in html
    assert "key-0" not in html
    assert "not-mine" not in html


def test_partner_home_query_budget_does_not_grow_with_notifications_and_users(partner_home, world):
    user = world["partner_a_admin"]
    partner = world["partner_a"]

    def add(count, offset):
        for index in range(offset, offset + count):
            notify(recipient=user, kind="account.token_created", dedupe_key=f"q{index}", params={"name": f"{index}"})
            partner_user(partner, "sales")

    add(2, 0)
    partner_home.get(reverse("home"))
    small = queries(partner_home, reverse("home"))
    add(18, 2)
    assert queries(partner_home, reverse("home")) == small


@pytest.mark.parametrize("role", ["cam_a", "cam_other"])
def test_a_cam_sees_only_assigned_partners_on_the_staff_home(client, world, staff_mfa, role):
    client.force_login(world[role])
    html = client.get(reverse("home")).content.decode()
    mine, other = ("Partner A", "Partner B") if role == "cam_a" else ("Partner B", "Partner A")
    assert mine in html
    assert other not in html


def test_a_cam_without_partners_sees_an_empty_list(client, world, mfa):
    from tests.factories import staff_user

    cam = staff_user("channel_account_manager")
    mfa(cam)
    client.force_login(cam)
    html = client.get(reverse("home")).content.decode()
    assert "No partners are assigned to you yet." in html


@pytest.mark.parametrize("role", ["channel_manager", "executive"])
def test_program_staff_see_every_partner_on_the_staff_home(client, world, staff_mfa, role):
    client.force_login(world[role])
    html = client.get(reverse("home")).content.decode()
    assert "Partner A" in html and "Partner B" in html


@pytest.mark.parametrize("role", ["channel_manager", "cam_a"])
def test_staff_home_query_budget_does_not_grow_with_partners(client, world, staff_mfa, role):
    user = world[role]
    client.force_login(user)
    tier = TierFactory(program=world["partner_a"].program)

    def add(count, offset):
        for index in range(offset, offset + count):
            partner = PartnerFactory(name=f"Extra {index:02d}", tier=tier)
            partner_user(partner, "sales")
            if role == "cam_a":
                partner_assign_cam(actor=world["channel_manager"], partner=partner, cam=user)

    add(2, 0)
    client.get(reverse("home"))
    small = queries(client, reverse("home"))
    add(18, 2)
    html = client.get(reverse("home")).content.decode()
    assert "Extra 19" in html
    assert queries(client, reverse("home")) == small


def test_users_of_an_inactive_partner_get_no_portal(client, world):
    from partners.services import partner_set_active

    partner_set_active(actor=world["channel_manager"], partner=world["partner_a"], active=False)
    user = type(world["partner_a_admin"]).objects.get(pk=world["partner_a_admin"].pk)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 403
    assert "Partner A" not in response.content.decode()


def test_staff_partner_detail_shows_members_and_cams(client, world, mfa):
    mfa(world["cam_a"])
    client.force_login(world["cam_a"])
    html = client.get(reverse("staff_partner_detail", args=[world["partner_a"].pk])).content.decode()
    assert world["partner_a_admin"].email in html
    assert world["partner_a_sales"].email in html
    assert world["partner_b_user"].email not in html


def test_staff_partner_detail_query_budget_does_not_grow_with_members(client, world, mfa):
    from prm.audit.services import audit_record

    mfa(world["channel_manager"])
    client.force_login(world["channel_manager"])
    partner = world["partner_a"]
    url = reverse("staff_partner_detail", args=[partner.pk])

    def add(count):
        for _index in range(count):
            partner_user(partner, "sales")
            audit_record(actor=world["channel_manager"], action="partner.changed", obj=partner)

    client.get(url)
    small = queries(client, url)
    add(18)
    assert queries(client, url) == small
