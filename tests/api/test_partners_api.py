"""The partners API reads through the scoped base viewset: each role sees its partners only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework import mixins

from partners.selectors import partners_visible
from prm.api import ScopedViewSet
from tests.factories import PartnerFactory, partner_user
from tests.scope import VISIBLE_PARTNERS

VISIBLE = VISIBLE_PARTNERS


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_partner_list_is_scoped_per_role(client, world, staff_mfa, role):
    client.force_login(world[role])
    data = client.get(reverse("partner-list")).json()
    assert data["count"] == len(VISIBLE[role])
    assert {row["id"] for row in data["results"]} == {world[name].pk for name in VISIBLE[role]}


@pytest.mark.parametrize("role", sorted(VISIBLE))
def test_partner_retrieve_out_of_scope_is_404_like_missing(client, world, staff_mfa, role):
    client.force_login(world[role])
    for name in ("partner_a", "partner_b"):
        response = client.get(reverse("partner-detail", args=[world[name].pk]))
        if name in VISIBLE[role]:
            assert response.status_code == 200
            assert response.json()["name"] == world[name].name
        else:
            missing = client.get(reverse("partner-detail", args=[999_999]))
            assert response.status_code == missing.status_code == 404
            assert response.json() == missing.json()


@pytest.mark.parametrize("pk", ["abc", "1.5", "-1", "9" * 30])
def test_a_malformed_partner_id_is_404_not_500(client, world, staff_mfa, pk):
    client.force_login(world["channel_manager"])
    response = client.get(f"/api/v1/partners/{pk}/")
    assert response.status_code == 404


def test_users_of_an_inactive_partner_see_nothing(client, world):
    from partners.services import partner_set_active

    user = world["partner_a_admin"]
    partner_set_active(actor=world["channel_manager"], partner=world["partner_a"], active=False)
    user.refresh_from_db()
    client.force_login(user)
    assert client.get(reverse("partner-list")).json()["count"] == 0
    assert client.get(reverse("partner-detail", args=[world["partner_a"].pk])).status_code == 404


def test_the_partner_api_is_read_only(client, world, staff_mfa):
    client.force_login(world["channel_manager"])
    url = reverse("partner-detail", args=[world["partner_a"].pk])
    assert client.delete(url).status_code == 405
    assert client.patch(url, {"name": "X"}, content_type="application/json").status_code == 405
    assert client.post(reverse("partner-list"), {"name": "X"}, content_type="application/json").status_code == 405


def list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("partner-list")).status_code == 200
    return len(queries)


def test_partner_list_query_count_does_not_grow_with_rows(client, world, staff_mfa):
    from tests.factories import TierFactory

    client.force_login(world["channel_manager"])
    list_queries(client)
    small = list_queries(client)
    tier = TierFactory(program=world["partner_a"].program)
    for index in range(20):
        partner = PartnerFactory(name=f"Extra {index}", tier=tier)
        partner_user(partner, "sales")
    assert list_queries(client) == small


def test_a_scoped_viewset_refuses_get_queryset_at_class_creation():
    with pytest.raises(TypeError, match="selector"):

        class Leaky(mixins.ListModelMixin, ScopedViewSet):
            selector = staticmethod(partners_visible)

            def get_queryset(self):
                return super().get_queryset()


def test_a_scoped_viewset_refuses_a_queryset_attribute():
    from partners.models import Partner

    with pytest.raises(TypeError, match="selector"):

        class Leaky(mixins.ListModelMixin, ScopedViewSet):
            queryset = Partner.objects.all()


def test_a_subclass_of_a_scoped_viewset_is_checked_too():
    from partners.api import PartnerViewSet

    with pytest.raises(TypeError):

        class Leaky(PartnerViewSet):
            def get_queryset(self):
                return super().get_queryset()


def test_a_mixin_that_brings_its_own_get_queryset_is_refused():
    from partners.models import Partner

    class EverythingMixin:
        def get_queryset(self):
            return Partner.objects.all()

    with pytest.raises(TypeError, match="selector"):

        class Leaky(EverythingMixin, mixins.ListModelMixin, ScopedViewSet):
            selector = staticmethod(partners_visible)


def test_a_mixin_that_brings_a_queryset_attribute_is_refused():
    from partners.models import Partner

    class EverythingMixin:
        queryset = Partner.objects.all()

    with pytest.raises(TypeError, match="selector"):

        class Leaky(EverythingMixin, mixins.ListModelMixin, ScopedViewSet):
            selector = staticmethod(partners_visible)


def test_a_scoped_viewset_without_selector_fails_loudly(rf, world):
    class NoSelector(mixins.ListModelMixin, ScopedViewSet):
        pass

    view = NoSelector()
    view.request = rf.get("/")
    view.request.user = world["channel_manager"]
    with pytest.raises(TypeError, match="no selector"):
        view.get_queryset()
