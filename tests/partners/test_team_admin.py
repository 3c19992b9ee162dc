"""Tiers set by hand (channel managers, with a reason) and the partner admin's filters and CSV export."""

import csv
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Partner
from partners.services import partner_assign_cam, partner_set_tier
from prm.accounts.services import user_deactivate
from prm.audit.models import AuditEvent
from prm.errors import ServiceError
from prm.notifications.models import Notification
from tests.factories import OnboardingStepFactory, PartnerFactory, ProgramFactory, TierFactory, partner_user

CHANGELIST = "admin:partners_partner_changelist"


@pytest.fixture
def tiers(world):
    program = world["partner_a"].program
    return {
        "registered": TierFactory(program=program, name="Registered", rank=1),
        "silver": TierFactory(program=program, name="Silver", name_fr="Argent", rank=2),
    }


@pytest.fixture
def staff_client(client, world, mfa):
    def sign_in(role):
        mfa(world[role])
        client.force_login(world[role])
        return client

    return sign_in


# --- the service ----------------------------------------------------------------------------------


def test_a_channel_manager_sets_a_tier_with_a_reason_audited_and_notified(world, tiers):
    partner = world["partner_a"]
    Partner.objects.filter(pk=partner.pk).update(tier=tiers["registered"])
    second_admin = partner_user(partner, "admin")
    gone_admin = partner_user(partner, "admin")
    user_deactivate(actor=None, user=gone_admin)
    partner_set_tier(actor=world["channel_manager"], partner=partner, tier=tiers["silver"], reason="Q3 revenue")
    assert Partner.objects.get(pk=partner.pk).tier == tiers["silver"]
    event = AuditEvent.objects.get(action="partner.tier_changed")
    assert (event.from_state, event.to_state, event.reason, event.actor_id, event.partner_id) == (
        "Registered",
        "Silver",
        "Q3 revenue",
        world["channel_manager"].pk,
        partner.pk,
    )
    notified = set(Notification.objects.filter(kind="partner.tier_changed").values_list("recipient_id", flat=True))
    assert notified == {world["partner_a_admin"].pk, second_admin.pk}
    notification = Notification.objects.filter(kind="partner.tier_changed").first()
    from django.utils import translation

    with translation.override("fr"):
        assert "Argent" in notification.subject()
    assert "Q3 revenue" in notification.body()


@pytest.mark.parametrize("role", ["cam_a", "executive", "partner_a_admin"])
def test_only_channel_managers_set_tiers(world, tiers, role):
    with pytest.raises(PermissionDenied):
        partner_set_tier(actor=world[role], partner=world["partner_a"], tier=tiers["silver"], reason="please")
    assert Partner.objects.get(pk=world["partner_a"].pk).tier is None
    assert not AuditEvent.objects.filter(action="partner.tier_changed").exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_tier_change_needs_a_reason(world, tiers, reason):
    with pytest.raises(ServiceError) as error:
        partner_set_tier(
            actor=world["channel_manager"], partner=world["partner_a"], tier=tiers["silver"], reason=reason
        )
    assert error.value.field == "reason"
    assert Partner.objects.get(pk=world["partner_a"].pk).tier is None


def test_a_tier_of_another_program_or_the_same_tier_is_refused(world, tiers):
    foreign = TierFactory(program=ProgramFactory(slug="other", name="Other"), rank=1)
    with pytest.raises(ServiceError, match="partner's program"):
        partner_set_tier(actor=world["channel_manager"], partner=world["partner_a"], tier=foreign, reason="x")
    partner_set_tier(actor=world["channel_manager"], partner=world["partner_a"], tier=tiers["silver"], reason="x")
    with pytest.raises(ServiceError, match="already"):
        partner_set_tier(actor=world["channel_manager"], partner=world["partner_a"], tier=tiers["silver"], reason="y")
    assert AuditEvent.objects.filter(action="partner.tier_changed").count() == 1


# --- the admin action ------------------------------------------------------------------------------


def test_the_set_tier_action_asks_for_tier_and_reason_then_applies(staff_client, world, tiers):
    client = staff_client("channel_manager")
    selected = [world["partner_a"].pk, world["partner_b"].pk]
    form = client.post(reverse(CHANGELIST), {"action": "set_tier", "_selected_action": selected})
    assert form.status_code == 200
    html = form.content.decode()
    assert "Partner A" in html and "Partner B" in html and 'name="reason"' in html

    missing_reason = client.post(
        reverse(CHANGELIST),
        {"action": "set_tier", "_selected_action": selected, "apply": "1", "tier": tiers["silver"].pk, "reason": ""},
    )
    assert missing_reason.status_code == 200
    assert "This field is required." in missing_reason.content.decode()
    assert not Partner.objects.filter(tier=tiers["silver"]).exists()

    done = client.post(
        reverse(CHANGELIST),
        {
            "action": "set_tier",
            "_selected_action": selected,
            "apply": "1",
            "tier": tiers["silver"].pk,
            "reason": "Annual review",
        },
    )
    assert done.status_code == 302
    assert set(Partner.objects.filter(tier=tiers["silver"]).values_list("name", flat=True)) == {
        "Partner A",
        "Partner B",
    }
    assert AuditEvent.objects.filter(action="partner.tier_changed", reason="Annual review").count() == 2


def test_a_cam_has_no_set_tier_action(staff_client, world, tiers):
    client = staff_client("cam_a")
    changelist = client.get(reverse(CHANGELIST))
    assert "set_tier" not in changelist.content.decode()
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "set_tier",
            "_selected_action": [world["partner_a"].pk],
            "apply": "1",
            "tier": tiers["silver"].pk,
            "reason": "I want it",
        },
    )
    assert response.status_code in (200, 302)
    assert Partner.objects.get(pk=world["partner_a"].pk).tier is None


def test_the_tier_is_not_editable_in_the_change_form(staff_client, world, tiers):
    client = staff_client("channel_manager")
    url = reverse("admin:partners_partner_change", args=[world["partner_a"].pk])
    page = client.get(url)
    assert "tier" not in page.context["adminform"].form.fields
    response = client.post(
        url,
        {"name": "Partner A", "country": "BR", "program": world["partner_a"].program_id, "tier": tiers["silver"].pk},
    )
    assert response.status_code == 302
    assert Partner.objects.get(pk=world["partner_a"].pk).tier is None


# --- filters ---------------------------------------------------------------------------------------


def test_the_cam_filter_lists_partners_of_one_cam_or_without_one(staff_client, world):
    client = staff_client("channel_manager")
    orphan = PartnerFactory(name="Orphan")
    by_cam = client.get(reverse(CHANGELIST), {"cam": world["cam_a"].pk}).context["cl"].result_list
    assert [partner.name for partner in by_cam] == ["Partner A"]
    without = client.get(reverse(CHANGELIST), {"cam": "none"}).context["cl"].result_list
    assert [partner.name for partner in without] == [orphan.name]


def test_the_filters_for_tier_country_and_onboarding_state_work(staff_client, world, tiers):
    client = staff_client("channel_manager")
    Partner.objects.filter(pk=world["partner_a"].pk).update(tier=tiers["silver"])
    OnboardingStepFactory(program=world["partner_a"].program, kind="manual")
    by_tier = client.get(reverse(CHANGELIST), {"tier__id__exact": tiers["silver"].pk}).context["cl"].result_list
    assert [partner.name for partner in by_tier] == ["Partner A"]
    by_country = client.get(reverse(CHANGELIST), {"country": "FR"}).context["cl"].result_list
    assert [partner.name for partner in by_country] == ["Partner B"]
    not_started = client.get(reverse(CHANGELIST), {"onboarding": "not_started"}).context["cl"].result_list
    assert {partner.name for partner in not_started} == {"Partner A", "Partner B"}


# --- CSV export ----------------------------------------------------------------------------------------


def export(client, ids):
    response = client.post(reverse(CHANGELIST), {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_csv_export_has_one_row_per_partner_with_cams_and_onboarding(staff_client, world, tiers):
    client = staff_client("channel_manager")
    partner = world["partner_a"]
    Partner.objects.filter(pk=partner.pk).update(tier=tiers["silver"], name="=cmd|' /C calc'!A0")
    OnboardingStepFactory(program=partner.program, kind="manual")
    OnboardingStepFactory(program=partner.program, kind="manual")
    rows = export(client, [partner.pk, world["partner_b"].pk])
    assert rows[0] == [
        "name",
        "country",
        "tier",
        "CAM emails",
        "active",
        "onboarding steps done",
        "onboarding steps",
        "created",
        "country code",
    ]
    by_country = {row[8]: row for row in rows[1:]}
    assert (by_country["BR"][1], by_country["FR"][1]) == ("Brazil", "France")  # the name; the code last
    assert by_country["BR"][0] == "'=cmd|' /C calc'!A0"
    assert by_country["BR"][2:7] == ["Silver", world["cam_a"].email, "yes", "0", "2"]
    assert by_country["BR"][7] == partner.created_at.date().isoformat()
    assert by_country["FR"][3] == world["cam_other"].email
    assert AuditEvent.objects.filter(action="partners.exported", actor=world["channel_manager"]).exists()


def test_the_csv_export_stays_in_the_cams_scope(staff_client, world):
    client = staff_client("cam_a")
    rows = export(client, [world["partner_a"].pk, world["partner_b"].pk])
    assert [row[0] for row in rows[1:]] == ["Partner A"]


def test_the_csv_export_query_count_does_not_grow_with_partners(staff_client, world, tiers):
    client = staff_client("channel_manager")

    def add(count, offset):
        for index in range(offset, offset + count):
            partner = PartnerFactory(name=f"Extra {index:02d}", tier=tiers["registered"])
            partner_assign_cam(actor=world["channel_manager"], partner=partner, cam=world["cam_a"])

    def queries():
        ids = list(Partner.objects.values_list("pk", flat=True))
        with CaptureQueriesContext(connection) as captured:
            rows = export(client, ids)
        return len(captured), len(rows)

    add(2, 0)
    small, small_rows = queries()
    add(18, 2)
    large, large_rows = queries()
    assert (small_rows, large_rows) == (5, 23)
    assert large == small
