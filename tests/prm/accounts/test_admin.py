"""User administration: deactivation and staff role changes go to the audit trail and end sessions."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from partners.roles import StaffRole
from prm.audit.models import AuditEvent
from tests.factories import UserFactory


@pytest.fixture
def superuser_client(client, world, mfa):
    admin = UserFactory(is_staff=True, is_superuser=True)
    mfa(admin)
    client.force_login(admin)
    client.admin = admin
    return client


def test_admin_action_deactivates_a_user_and_ends_their_session(superuser_client, world):
    user = world["partner_a_sales"]
    theirs = Client()
    theirs.force_login(user)
    response = superuser_client.post(
        reverse("admin:accounts_user_changelist"), {"action": "deactivate", "_selected_action": [user.pk]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert AuditEvent.objects.get(action="user.deactivated").actor_id == superuser_client.admin.pk
    assert theirs.get(reverse("profile")).status_code == 302


def user_form(user, **changes):
    data = {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_changing_a_staff_role_in_the_admin_is_audited(superuser_client, world):
    cam = world["cam_other"]
    manager_group = Group.objects.get(name=StaffRole.CHANNEL_MANAGER)
    response = superuser_client.post(
        reverse("admin:accounts_user_change", args=[cam.pk]),
        user_form(cam, groups=[manager_group.pk]),
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="user.roles_changed")
    assert (event.from_state, event.to_state) == (StaffRole.CAM, StaffRole.CHANNEL_MANAGER)
    assert (event.actor_id, event.ip) == (superuser_client.admin.pk, "198.51.100.4")


def test_deactivating_in_the_user_form_ends_sessions_and_is_audited(superuser_client, world):
    user = world["partner_b_user"]
    theirs = Client()
    theirs.force_login(user)
    data = user_form(user)
    data.pop("is_active")
    response = superuser_client.post(reverse("admin:accounts_user_change", args=[user.pk]), data)
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.deactivated", object_id=str(user.pk)).exists()
    assert theirs.get(reverse("profile")).status_code == 302


def test_api_tokens_cannot_be_added_in_the_admin(superuser_client):
    assert superuser_client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
