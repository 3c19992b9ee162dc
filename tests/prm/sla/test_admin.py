import pytest
from django.urls import reverse

from prm.sla.models import Deadline, DeadlineState
from prm.sla.services import deadline_cancel, deadline_start
from tests.prm.sla.conftest import paris


@pytest.fixture
def staff_client(client, world, mfa):
    def login(role):
        user = world[role]
        mfa(user)
        client.force_login(user)
        return client

    return login


@pytest.fixture
def deadlines(world, paris_calendar):
    made = {}
    for key in ("partner_a", "partner_b"):
        made[key] = deadline_start(
            actor=None,
            obj=world[key],
            kind=f"review.{key}",
            calendar=paris_calendar,
            duration_seconds=3600,
            start=paris(2026, 3, 2, 9),
        )
    deadline_cancel(actor=None, deadline=made["partner_b"])
    return made


def test_deadline_list_filters_by_state_and_kind(staff_client, deadlines):
    client = staff_client("channel_manager")
    url = reverse("admin:sla_deadline_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert {d.pk for d in response.context["cl"].queryset} == {d.pk for d in deadlines.values()}

    response = client.get(url, {"state__exact": DeadlineState.CANCELLED})
    assert [d.pk for d in response.context["cl"].queryset] == [deadlines["partner_b"].pk]
    response = client.get(url, {"kind": "review.partner_a"})
    assert [d.pk for d in response.context["cl"].queryset] == [deadlines["partner_a"].pk]


def test_deadline_list_is_scoped_and_read_only(staff_client, deadlines):
    client = staff_client("cam_a")
    response = client.get(reverse("admin:sla_deadline_changelist"))
    assert [d.pk for d in response.context["cl"].queryset] == [deadlines["partner_a"].pk]
    assert client.get(reverse("admin:sla_deadline_add")).status_code == 403
    other = deadlines["partner_b"]
    assert client.get(reverse("admin:sla_deadline_change", args=[other.pk])).status_code == 302
    assert client.post(reverse("admin:sla_deadline_delete", args=[other.pk]), {"post": "yes"}).status_code == 403
    assert Deadline.objects.count() == 2
