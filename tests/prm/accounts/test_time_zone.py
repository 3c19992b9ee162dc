"""A user's time zone: the field and its validation, the service that saves it from the profile page,
and the middleware that shows every page's dates in it."""

import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from prm.accounts.middleware import UserTimeZoneMiddleware
from prm.accounts.services import user_set_time_zone
from prm.accounts.timezones import time_zone_names
from prm.audit.models import AuditEvent
from prm.errors import ServiceError


def test_the_choices_are_the_iana_zones_with_a_region():
    names = time_zone_names()
    assert {"UTC", "Europe/Paris", "America/Sao_Paulo"} <= set(names)
    assert "localtime" not in names and "Factory" not in names
    assert list(names) == sorted(names)


def test_the_field_accepts_blank_or_a_known_zone_only(world):
    user = world["cam_a"]
    for value in ("", "Europe/Paris"):
        user.time_zone = value
        user.full_clean()
    for value in ("Mars/Olympus", "europe/paris", "CET "):
        user.time_zone = value
        with pytest.raises(ValidationError) as error:
            user.full_clean()
        assert "time_zone" in error.value.message_dict


def test_the_service_saves_a_known_zone_with_an_audit_event(world):
    user = world["cam_a"]
    user_set_time_zone(actor=user, time_zone=" Europe/Paris ")
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"
    event = AuditEvent.objects.get(action="user.time_zone_set")
    assert (event.from_state, event.to_state) == ("", "Europe/Paris")
    user_set_time_zone(actor=user, time_zone="")  # back to the program's zone
    user.refresh_from_db()
    assert user.time_zone == ""


@pytest.mark.parametrize("value", ["Mars/Olympus", "localtime", "x" * 80])
def test_the_service_refuses_an_unknown_zone(world, value):
    user = world["cam_a"]
    with pytest.raises(ServiceError) as error:
        user_set_time_zone(actor=user, time_zone=value)
    assert error.value.field == "time_zone"
    user.refresh_from_db()
    assert user.time_zone == ""


def _zone_seen_by_the_view(user):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return HttpResponse()

    request = RequestFactory().get("/")
    request.user = user
    UserTimeZoneMiddleware(view)(request)
    return seen["zone"]


def test_the_middleware_activates_the_users_zone_for_the_request_only(world, settings):
    user = world["cam_a"]
    assert _zone_seen_by_the_view(user) == settings.TIME_ZONE == "UTC"
    user.time_zone = "Asia/Tokyo"
    assert _zone_seen_by_the_view(user) == "Asia/Tokyo"
    assert timezone.get_current_timezone_name() == settings.TIME_ZONE  # deactivated after the request
    user.time_zone = "Gone/Zone"  # a zone the server no longer knows reads as the program's
    assert _zone_seen_by_the_view(user) == "UTC"


def test_the_middleware_leaves_anonymous_visitors_in_the_programs_zone():
    from django.contrib.auth.models import AnonymousUser

    timezone.activate(zoneinfo.ZoneInfo("Asia/Tokyo"))  # left over by an earlier request of the thread
    try:
        assert _zone_seen_by_the_view(AnonymousUser()) == "UTC"
    finally:
        timezone.deactivate()


def test_the_profile_page_saves_the_zone_through_the_service(world, client):
    user = world["partner_a_admin"]
    client.force_login(user)
    page = client.get(reverse("profile"))
    assert page.status_code == 200 and 'name="time_zone"' in page.content.decode()
    assert '<option value="Europe/Paris">Europe/Paris</option>' in page.content.decode()

    response = client.post(reverse("profile"), {"time_zone": "Europe/Paris"})
    assert response.status_code == 302 and response["Location"] == reverse("profile")
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"
    assert AuditEvent.objects.filter(action="user.time_zone_set", actor=user).exists()

    refused = client.post(reverse("profile"), {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    user.refresh_from_db()
    assert user.time_zone == "Europe/Paris"
    selected = client.get(reverse("profile")).content.decode()
    assert '<option value="Europe/Paris" selected>' in selected


def test_the_user_admin_offers_the_zones_as_a_list(world, client, mfa):
    from tests.factories import UserFactory

    superuser = UserFactory(is_staff=True, is_superuser=True)
    mfa(superuser)
    client.force_login(superuser)
    user = world["cam_a"]
    page = client.get(reverse("admin:accounts_user_change", args=[user.pk])).content.decode()
    assert '<select name="time_zone"' in page and '<option value="Asia/Tokyo">Asia/Tokyo</option>' in page
