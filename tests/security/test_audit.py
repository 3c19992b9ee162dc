"""Security events land in the append-only audit trail, with actor and IP where known."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from partners.models import PartnerRole
from prm.audit.models import AuditEvent
from tests.factories import PASSWORD


def events(action, **filters):
    return list(AuditEvent.objects.filter(action=action, **filters))


def test_login_success_is_recorded_with_actor_and_ip(client, world):
    user = world["partner_a_admin"]
    client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7")
    [event] = events("login.succeeded")
    assert event.actor_id == user.pk
    assert event.actor_label == user.email
    assert event.ip == "203.0.113.7"


def test_login_failure_is_recorded_with_the_email_tried_and_ip(client, world):
    user = world["partner_a_admin"]
    client.post(
        reverse("account_login"), {"login": user.email, "password": "wrong-password"}, REMOTE_ADDR="203.0.113.8"
    )
    [event] = events("login.failed")
    assert event.actor_id is None
    assert event.reason == user.email
    assert event.object_id == str(user.pk)
    assert event.ip == "203.0.113.8"
    assert not events("login.succeeded")


def test_login_failure_for_an_unknown_email_is_recorded(client, db):
    client.post(reverse("account_login"), {"login": "nobody@example.com", "password": "wrong-password"})
    [event] = events("login.failed")
    assert event.reason == "nobody@example.com"
    assert event.object_id == ""


def test_out_of_scope_page_is_404_and_recorded_as_denied(client, world, mfa):
    cam = world["cam_other"]
    mfa(cam)
    client.force_login(cam)
    partner_a = world["partner_a"]
    response = client.get(reverse("staff_partner_detail", args=[partner_a.pk]), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 404
    [event] = events("access.denied")
    assert event.actor_id == cam.pk
    assert event.ip == "203.0.113.9"
    assert event.reason == "partners.Partner"
    assert event.data == {"pk": str(partner_a.pk)}


def test_missing_object_is_404_without_a_denied_access_event(client, world, mfa):
    cam = world["cam_other"]
    mfa(cam)
    client.force_login(cam)
    assert client.get(reverse("staff_partner_detail", args=[999_999])).status_code == 404
    assert not events("access.denied")


def test_out_of_scope_api_object_is_404_and_recorded_as_denied(client, world):
    user = world["partner_b_user"]
    client.force_login(user)
    response = client.get(reverse("partner-detail", args=[world["partner_a"].pk]))
    assert response.status_code == 404
    [event] = events("access.denied")
    assert event.actor_id == user.pk
    assert event.ip == "127.0.0.1"


def test_partner_user_on_a_staff_page_is_recorded_as_denied(client, world):
    client.force_login(world["partner_a_admin"])
    assert client.get(reverse("staff_partner_detail", args=[world["partner_a"].pk])).status_code == 403
    [event] = events("access.denied")
    assert event.actor_id == world["partner_a_admin"].pk


def test_role_change_in_the_admin_is_recorded_with_actor_ip_from_and_to(client, world, mfa):
    manager = world["channel_manager"]
    mfa(manager)
    client.force_login(manager)
    membership = world["partner_a_sales"].membership
    response = client.post(
        reverse("admin:partners_membership_change", args=[membership.pk]),
        {"role": PartnerRole.MARKETING},
        REMOTE_ADDR="203.0.113.10",
    )
    assert response.status_code == 302
    [event] = events("membership.role_changed")
    assert (event.actor_id, event.from_state, event.to_state) == (manager.pk, "sales", "marketing")
    assert event.ip == "203.0.113.10"
    assert event.partner_id == world["partner_a"].pk


def test_token_creation_and_revocation_are_recorded_with_actor_and_ip(client, world):
    user = world["partner_a_admin"]
    client.force_login(user)
    client.post(reverse("profile"), {"name": "CRM sync"}, REMOTE_ADDR="203.0.113.11")
    [created] = events("token.created")
    assert (created.actor_id, created.ip) == (user.pk, "203.0.113.11")
    token = user.api_tokens.get()
    assert created.object_id == str(token.pk)

    client.post(reverse("profile"), {"revoke": token.pk}, REMOTE_ADDR="203.0.113.12")
    [revoked] = events("token.revoked")
    assert (revoked.actor_id, revoked.ip, revoked.object_id) == (user.pk, "203.0.113.12", str(token.pk))


@pytest.fixture
def event(world):
    from prm.audit.services import audit_record

    return audit_record(actor=world["channel_manager"], action="partner.changed", obj=world["partner_a"])


def test_the_database_refuses_to_update_the_audit_trail(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    event.refresh_from_db()
    assert event.reason == ""


def test_the_database_refuses_to_save_a_changed_audit_event(event):
    event.reason = "rewritten"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


def test_the_database_refuses_to_delete_from_the_audit_trail(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admin_offers_no_way_to_change_or_delete_audit_events(client, world, mfa, event):
    manager = world["channel_manager"]
    mfa(manager)
    client.force_login(manager)
    assert client.get(reverse("admin:audit_auditevent_change", args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:audit_auditevent_change", args=[event.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, reason="").exists()
