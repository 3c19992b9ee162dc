"""Saved and shared dashboard views: saving one (and what is refused), who opens it, what it shows
(a partner: its own figures, whatever the filters say), the program dashboard's filters and panels,
and the program page's queries whatever the number of views."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from analytics.models import SavedView
from analytics.periods import dashboard_period
from analytics.program import program_dashboard
from analytics.services import SavedViewRefused, rollup, saved_view_create
from prm.audit.models import AuditEvent
from prm.roles import StaffRole
from tests import factories

from .conftest import days_ago, won


@pytest.fixture
def signed_in(client, world, mfa):
    """A client signed in as a role of the world (staff with TOTP)."""
    enabled = set()

    def sign_in(role):
        user = world[role]
        if user.is_staff and role not in enabled:
            mfa(user)
            enabled.add(role)
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def figures(world, history):
    """Partner A (tier Gold, Brazil) won 1,234; partner B (France, no tier) won 98,765."""
    a, b = world["partner_a"], world["partner_b"]
    a.tier = factories.TierFactory(program=a.program, name="Gold")
    a.save(update_fields=["tier"])
    won(history, a, 1234)
    won(history, b, 98765)
    rollup(since=days_ago(60), until=days_ago(1))
    return a.tier


def post_view(client, **fields):
    data = {"name": "My view", "period": "12m", "panels": ["kpis", "ranking"], **fields}
    return client.post(reverse("staff_saved_view_create"), data)


def make_view(owner, **data):
    return saved_view_create(actor=owner, data={"name": "View", "period": "12m", "panels": ["kpis"], **data})


# --- saving ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_view_is_saved_with_its_period_filters_panels_and_shares(signed_in, world):
    client = signed_in("cam_a")
    name = "n" * 100  # the longest name
    response = post_view(
        client,
        name=f"  {name} ",
        period="custom",
        since=days_ago(30).isoformat(),
        until=days_ago(1).isoformat(),
        country="br",
        panels=["ranking", "kpis", "funnel"],
        shared_roles=[f"staff:{StaffRole.CAM}", "partner:admin"],
        shared_partners=[str(world["partner_a"].pk)],
    )
    view = SavedView.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("staff_saved_view", args=[view.pk])
    assert view.owner == world["cam_a"] and view.name == name
    assert (view.period, view.since, view.until) == ("custom", days_ago(30), days_ago(1))
    assert view.filters == {"country": "BR"} and view.panels == ["kpis", "ranking", "funnel"]
    assert view.shared_roles == [f"staff:{StaffRole.CAM}", "partner:admin"]
    assert list(view.shared_partners.all()) == [world["partner_a"]]
    event = AuditEvent.objects.get(action="saved_view.created")
    assert event.actor == world["cam_a"] and event.object_id == str(view.pk)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "is saved" in page.content.decode()  # the confirmation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "n" * 101}, "name"),
        ({"panels": []}, "panels"),
        ({"panels": ["kpis", "secrets"]}, "panels"),
        ({"shared_roles": ["staff:superuser"]}, "shared_roles"),
        ({"shared_roles": ["partner:owner"]}, "shared_roles"),
        ({"shared_partners": ["x"]}, "shared_partners"),
        ({"period": "forever"}, "period"),
        ({"period": "custom", "since": "2020-01-01", "until": "2019-01-01"}, "period"),
        ({"country": "XX"}, "filters"),
        ({"tier": "999999"}, "filters"),
        # Shared with partners, the view must show them something of their dashboard.
        ({"panels": ["ranking"], "shared_roles": ["partner:admin"]}, "panels"),
    ],
)
def test_a_refused_view_writes_nothing_and_says_why(signed_in, fields, field):
    client = signed_in("channel_manager")
    response = post_view(client, **fields)
    assert response.status_code == 400
    assert field in response.context["save_form"]["errors"]
    assert not SavedView.objects.exists() and not AuditEvent.objects.filter(action="saved_view.created").exists()


@pytest.mark.django_db
def test_a_duplicate_name_is_refused_and_nothing_written(signed_in, world):
    client = signed_in("cam_a")
    assert post_view(client, name="Quarter").status_code == 302
    response = post_view(client, name=" Quarter ", panels=["kpis"])
    assert response.status_code == 400
    assert "already have a view with this name" in response.context["save_form"]["errors"]["name"]
    assert "already have a view with this name" in response.content.decode()
    assert SavedView.objects.count() == 1 and AuditEvent.objects.filter(action="saved_view.created").count() == 1
    # Another user may use the same name.
    assert post_view(signed_in("cam_other"), name="Quarter").status_code == 302


@pytest.mark.django_db
def test_partners_outside_the_savers_scope_are_refused(signed_in, world):
    response = post_view(signed_in("cam_a"), shared_partners=[world["partner_a"].pk, world["partner_b"].pk])
    assert response.status_code == 400 and "shared_partners" in response.context["save_form"]["errors"]
    assert not SavedView.objects.exists()
    # The form offers the partners of the saver's scope only.
    page = signed_in("cam_a").get(reverse("staff_dashboard"))
    assert page.context["partner_choices"] == [(world["partner_a"].pk, "Partner A")]


@pytest.mark.django_db
def test_only_staff_save_views(world):
    with pytest.raises(PermissionDenied):
        make_view(world["partner_a_admin"])
    with pytest.raises(SavedViewRefused):
        make_view(world["cam_a"], shared_partners=[world["partner_b"].pk])


# --- who opens a view, and what it shows ----------------------------------------------------------


@pytest.mark.django_db
def test_a_shared_view_shows_a_partner_its_own_figures_whatever_the_filters(signed_in, world, figures):
    a, b = world["partner_a"], world["partner_b"]
    # The filters name partner B's country; the view goes to partner A and to every partner's executives.
    view = make_view(
        world["cam_a"],
        name="France",
        period="custom",
        since=days_ago(60).isoformat(),
        until=days_ago(1).isoformat(),
        filters={"country": "FR"},
        panels=["kpis", "revenue"],
        shared_roles=["partner:executive"],
        shared_partners=[a.pk],
    )
    assert view.filters == {"country": "FR"}
    url = reverse("saved_view", args=[view.pk])
    page = signed_in("partner_a_admin").get(url)
    text = page.content.decode()
    assert page.status_code == 200 and page.context["partner"] == a
    assert (page.context["period"].since, page.context["period"].until) == (days_ago(60), days_ago(1))
    assert "1,234" in text and "98,765" not in text and "Partner B" not in text
    # A tier filter of another tier changes nothing either.
    other = make_view(
        world["cam_a"], name="Gold", filters={"tier": figures.pk}, panels=["kpis"], shared_roles=["partner:executive"]
    )
    world["b_executive"] = factories.partner_user(b, "executive")
    page = signed_in("b_executive").get(reverse("saved_view", args=[other.pk]))
    assert page.status_code == 200 and page.context["partner"] == b
    assert "98,765" in page.content.decode() and "1,234" not in page.content.decode()
    # Partner B's admin: the view is shared neither with B nor with admins.
    assert signed_in("partner_b_user").get(url).status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", actor=world["partner_b_user"]).exists()
    # The dashboard's own rules first: A's sales users do not read it until an admin shares it.
    assert signed_in("partner_a_sales").get(url).status_code == 403
    # Partner users list the views shared with them on their dashboard.
    assert [v.name for v in signed_in("partner_a_admin").get(reverse("dashboard")).context["saved_views"]] == ["France"]
    assert signed_in("partner_b_user").get(reverse("dashboard")).context["saved_views"] == []


@pytest.mark.django_db
def test_the_view_of_a_deactivated_owner_is_no_longer_shared(signed_in, world):
    view = make_view(world["cam_a"], panels=["kpis"], shared_partners=[world["partner_a"].pk])
    world["cam_a"].is_active = False
    world["cam_a"].save(update_fields=["is_active"])
    assert signed_in("partner_a_admin").get(reverse("saved_view", args=[view.pk])).status_code == 404


@pytest.mark.django_db
def test_staff_open_their_views_and_those_shared_with_their_role(signed_in, world, figures):
    view = make_view(world["cam_a"], name="Mine", shared_roles=[f"staff:{StaffRole.CAM}"])
    private = make_view(world["channel_manager"], name="Private")
    url = reverse("staff_saved_view", args=[view.pk])
    assert signed_in("cam_a").get(url).status_code == 200
    # Another CAM opens it (shared with their role) over their own partners only.
    page = signed_in("cam_other").get(url)
    assert page.status_code == 200 and page.context["partners"] == 1
    assert "98,765" in page.content.decode() and "1,234" not in page.content.decode()
    assert [v.name for v in page.context["saved_views"]] == ["Mine"]
    # Not shared with the channel manager's role: 404, and it is not listed.
    assert signed_in("channel_manager").get(url).status_code == 404
    listed = signed_in("channel_manager").get(reverse("staff_dashboard")).context["saved_views"]
    assert [v.name for v in listed] == ["Private"]
    assert signed_in("cam_a").get(reverse("staff_saved_view", args=[private.pk])).status_code == 404
    # A partner user's address of the view sends staff to theirs.
    response = signed_in("cam_a").get(reverse("saved_view", args=[view.pk]))
    assert response.status_code == 302 and response["Location"] == url


@pytest.mark.django_db
def test_a_view_applies_its_period_and_filters_within_the_viewers_scope(signed_in, world, figures):
    view = make_view(world["channel_manager"], name="Brazil", period="qtd", filters={"country": "BR"})
    page = signed_in("channel_manager").get(reverse("staff_saved_view", args=[view.pk]))
    assert page.context["period"].key == "qtd" and page.context["filters"] == {"country": "BR"}
    assert page.context["partners"] == 1 and [r.name for r in page.context["ranking"]] == ["Partner A"]
    assert "country=BR" in page.context["query"] and "period=qtd" in page.context["query"]  # the exports'
    # The period picker replaces the view's period and filters.
    page = signed_in("channel_manager").get(reverse("staff_saved_view", args=[view.pk]), {"period": "12m"})
    assert page.context["period"].key == "12m" and page.context["partners"] == 2
    # Any other parameter does not.
    page = signed_in("channel_manager").get(reverse("staff_saved_view", args=[view.pk]), {"from": "mail"})
    assert page.context["period"].key == "qtd" and page.context["partners"] == 1


@pytest.mark.django_db
def test_only_the_owner_deletes_a_view(signed_in, world):
    view = make_view(world["cam_a"], shared_roles=[f"staff:{StaffRole.CAM}"])
    delete = reverse("staff_saved_view_delete", args=[view.pk])
    assert signed_in("cam_other").post(delete).status_code == 404  # shared with them, not theirs
    assert signed_in("channel_manager").post(delete).status_code == 404
    assert signed_in("partner_a_admin").post(delete).status_code == 403
    assert signed_in("cam_a").get(delete).status_code == 405
    assert SavedView.objects.filter(pk=view.pk).exists()
    client = signed_in("cam_a")
    response = client.post(delete)
    assert response.status_code == 302 and response["Location"] == reverse("staff_dashboard")
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert AuditEvent.objects.filter(action="saved_view.deleted", actor=world["cam_a"]).count() == 1
    assert "is deleted" in client.get(response["Location"]).content.decode()


# --- filters and panels ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_filters_narrow_the_program_dashboard(signed_in, world, figures):
    client = signed_in("channel_manager")
    url = reverse("staff_dashboard")
    assert client.get(url).context["partners"] == 2  # kept in the cache first: the filters are in its key
    france = client.get(url, {"country": "fr"})
    assert france.status_code == 200 and france.context["partners"] == 1
    assert "98,765" in france.content.decode() and "1,234" not in france.content.decode()
    gold = client.get(url, {"tier": figures.pk})
    assert gold.context["partners"] == 1 and [r.name for r in gold.context["ranking"]] == ["Partner A"]
    assert client.get(url, {"tier": figures.pk, "country": "FR"}).context["partners"] == 0
    # A bad value is refused like a bad period: left out, said, 400.
    bad = client.get(url, {"country": "XX", "period": "qtd"})
    assert bad.status_code == 400 and bad.context["partners"] == 2 and bad.context["period"].key == "qtd"
    assert "Choose a country from the list." in bad.content.decode()
    assert client.get(url, {"tier": "gold"}).status_code == 400
    # The exports read the same filters.
    csv = client.get(reverse("staff_dashboard_export", args=["ranking", "csv"]), {"country": "FR"}).content.decode()
    assert "Partner B" in csv and "Partner A" not in csv
    assert client.get(reverse("staff_dashboard_export", args=["ranking", "csv"]), {"tier": "x"}).status_code == 400
    # A CAM's filters stay within the portfolio.
    assert signed_in("cam_a").get(url, {"country": "FR"}).context["partners"] == 0
    period = dashboard_period("12m")
    assert program_dashboard(world["cam_other"], period, filters={"country": "BR"})["partners"] == 0


@pytest.mark.django_db
def test_a_view_hides_the_panels_it_does_not_keep(signed_in, world, figures):
    view = make_view(
        world["cam_a"], panels=["countries", "pipeline"], shared_partners=[world["partner_a"].pk], name="Few"
    )
    text = signed_in("cam_a").get(reverse("staff_saved_view", args=[view.pk])).content.decode()
    assert 'id="country-h"' in text and 'id="ranking-h"' not in text and 'id="tier-h"' not in text
    assert "Key figures" not in text.split('id="views-h"')[0]
    whole = signed_in("cam_a").get(reverse("staff_dashboard")).content.decode()
    assert all(f'id="{key}-h"' in whole for key in ("ranking", "country", "tier"))
    text = signed_in("partner_a_admin").get(reverse("saved_view", args=[view.pk])).content.decode()
    assert 'id="pipeline-h"' in text and 'id="revenue-h"' not in text and 'id="funnel-h"' not in text
    whole = signed_in("partner_a_admin").get(reverse("dashboard")).content.decode()
    assert all(f'id="{key}-h"' in whole for key in ("revenue", "pipeline", "funnel"))


# --- queries --------------------------------------------------------------------------------------


def count(client, url) -> int:
    client.get(url)  # the figures kept in the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_the_pages_read_a_constant_number_of_queries_whatever_the_views(signed_in, world, figures):
    first = make_view(world["cam_a"], name="First", shared_partners=[world["partner_a"].pk], panels=["kpis"])
    pages = {
        "cam_a": [reverse("staff_dashboard"), reverse("staff_saved_view", args=[first.pk])],
        "partner_a_admin": [reverse("dashboard"), reverse("saved_view", args=[first.pk])],
    }
    few = {(role, url): count(signed_in(role), url) for role, urls in pages.items() for url in urls}
    for n in range(8):
        make_view(world["cam_a"], name=f"Mine {n}", shared_partners=[world["partner_a"].pk])
        make_view(world["cam_other"], name=f"Theirs {n}", shared_roles=[f"staff:{StaffRole.CAM}"])
    many = {(role, url): count(signed_in(role), url) for role, urls in pages.items() for url in urls}
    assert many == few
    assert len(signed_in("cam_a").get(reverse("staff_dashboard")).context["saved_views"]) == 17
    assert len(signed_in("partner_a_admin").get(reverse("dashboard")).context["saved_views"]) == 9
