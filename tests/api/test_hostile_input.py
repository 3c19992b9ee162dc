"""Input a client controls answers 4xx with a clear, translated message, never a 500, and changes
nothing: deeply nested JSON, characters PostgreSQL cannot store (NUL, unpaired surrogates), numbers
out of range, format suffixes, huge page sizes."""

import re
from pathlib import Path

import pytest
from django.urls import URLPattern, get_resolver
from django.utils import translation

from partners.models import Application
from prm.accounts.models import User
from prm.api_input import MAX_JSON_DEPTH, SAFE_PARSERS, Pagination
from tests.factories import ProgramPageFactory

NUL_REFUSED = "The request contains a null character (NUL), which cannot be accepted."
TOO_DEEP = f"The JSON body is nested too deeply (at most {MAX_JSON_DEPTH} levels)."
UNSTORABLE = "The JSON body contains a character that cannot be stored (NUL or an unpaired surrogate)."
TOO_LARGE = "The JSON body contains a number too large to be read."
FORM = "application/x-www-form-urlencoded"
DEEP_BODIES = {"arrays": "[" * 100_000, "objects": '{"a":' * 5_000}


def nested(depth: int) -> str:
    """A JSON array nested ``depth`` levels deep (``[]`` is one level)."""
    return "[" * depth + "]" * depth


@pytest.fixture
def page(db):
    return ProgramPageFactory()


def signed_in(client, world, role):
    client.force_login(world[role])
    return client


# --- deeply nested JSON ---------------------------------------------------------------------------


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
def test_deep_json_to_the_anonymous_application_api_is_400(client, page, body):
    response = client.post("/api/v1/applications/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}
    assert not Application.objects.exists()


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("patch", "/api/v1/me/"),
        ("patch", "/api/v1/partners/me/"),
        ("post", "/api/v1/partners/me/users/"),
        ("post", "/api/v1/deals/"),
    ],
)
def test_deep_json_is_400_on_every_json_endpoint(client, world, method, path, body):
    signed_in(client, world, "partner_a_admin")
    response = getattr(client, method)(path, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_deep_json_is_400_for_staff_endpoints(client, world, mfa):
    mfa(world["channel_manager"])
    signed_in(client, world, "channel_manager")
    response = client.post("/api/v1/leads/", DEEP_BODIES["objects"], content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_json_at_the_depth_limit_is_read_and_one_level_more_is_refused(client, world):
    signed_in(client, world, "partner_a_admin")
    at_limit = client.patch("/api/v1/me/", nested(MAX_JSON_DEPTH), content_type="application/json")
    assert at_limit.status_code == 400
    assert at_limit.json() != {"detail": TOO_DEEP}  # read, then refused as the wrong shape
    beyond = client.patch("/api/v1/me/", nested(MAX_JSON_DEPTH + 1), content_type="application/json")
    assert beyond.status_code == 400
    assert beyond.json() == {"detail": TOO_DEEP}


def test_the_depth_message_is_translated(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.patch("/api/v1/me/", nested(500), content_type="application/json", HTTP_ACCEPT_LANGUAGE="fr")
    with translation.override("fr"):
        expected = translation.gettext("The JSON body is nested too deeply (at most %(depth)d levels).") % {
            "depth": MAX_JSON_DEPTH
        }
    assert response.json() == {"detail": expected}


# --- characters and numbers PostgreSQL refuses, in JSON ------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        '{"language": "fr\\u0000"}',
        '{"language\\u0000": "fr"}',
        '{"language": "\\ud800"}',
        '{"language": ["x", {"deep": "\\udfff"}]}',
    ],
)
def test_json_with_characters_postgresql_cannot_store_is_400(client, world, body):
    user = world["partner_a_admin"]
    signed_in(client, world, "partner_a_admin")
    response = client.patch("/api/v1/me/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": UNSTORABLE}
    user.refresh_from_db()
    assert user.language == ""


def test_emoji_written_as_a_surrogate_pair_are_read(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.patch("/api/v1/me/", '{"language": "\\ud83d\\ude00"}', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"language": ["Choose one of the offered languages."]}


def test_a_json_number_beyond_floats_is_400(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.post("/api/v1/deals/", '{"amount": 1e309}', content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_LARGE}
    largest = client.post("/api/v1/deals/", '{"amount": 1.7976931348623157e308}', content_type="application/json")
    assert largest.status_code == 400
    assert "amount" in largest.json()  # read, then refused by the field


# --- format suffixes ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/v1/applications.json/"),
        ("get", "/api/v1/deals.json"),
        ("get", "/api/v1/partners.json/"),
        ("post", "/api/v1/deals/1/submit.json/"),
    ],
)
def test_format_suffixes_are_not_routes(client, world, page, method, path):
    signed_in(client, world, "partner_a_admin")
    response = getattr(client, method)(path, {}, content_type="application/json")
    assert response.status_code == 404
    assert not Application.objects.exists()


def test_no_api_route_takes_a_format_suffix():
    from tests.test_authorization_matrix import ALL_ROUTES

    assert [route.pattern for route in ALL_ROUTES if "format" in route.kwarg_names] == []


# --- NUL in query parameters and form fields -----------------------------------------------------


def test_nul_in_the_deal_search_page_is_a_translated_400_page(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.get("/deals/?q=%00", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    with translation.override("fr"):
        title = translation.gettext("Bad request")
    assert title != "Bad request"
    page = response.content.decode()
    assert re.search(rf"<h1[^>]*>{re.escape(title)}</h1>", page)
    assert '<html lang="fr">' in page


def test_the_400_page_is_in_the_users_chosen_language(client, world):
    user = world["partner_a_admin"]
    User.objects.filter(pk=user.pk).update(language="pt-br")
    signed_in(client, world, "partner_a_admin")
    response = client.get("/deals/?q=a%00b")
    assert response.status_code == 400
    assert '<html lang="pt-br">' in response.content.decode()


def test_nul_in_the_deal_search_api_is_400(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.get("/api/v1/deals/?search=%00")
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSED}


def test_nul_in_a_parameter_name_is_400(client, world):
    signed_in(client, world, "partner_a_admin")
    assert client.get("/api/v1/deals/?se%00arch=x").status_code == 400


def test_nul_in_an_admin_filter_is_400(client, world, mfa):
    mfa(world["channel_manager"])
    signed_in(client, world, "channel_manager")
    response = client.get("/admin/deals/deal/?status__exact=%00")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_nul_in_a_posted_form_is_400_and_changes_nothing(client, world):
    user = world["partner_a_admin"]
    signed_in(client, world, "partner_a_admin")
    response = client.post("/profile/", {"name": "tok\x00en"})
    assert response.status_code == 400
    assert not user.api_tokens.exists()


def test_nul_in_a_form_body_to_the_api_is_400(client, world):
    signed_in(client, world, "partner_a_admin")
    response = client.post("/api/v1/partners/me/users/", "email=a%00@b.example&role=sales", content_type=FORM)
    assert response.status_code == 400
    assert response.json() == {"detail": NUL_REFUSED}


def test_an_ordinary_search_still_works(client, world):
    signed_in(client, world, "partner_a_admin")
    assert client.get("/deals/?q=acme").status_code == 200
    assert client.get("/api/v1/deals/?search=acme").status_code == 200


# --- page sizes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/partners/", "/api/v1/partners/me/users/"])
def test_a_huge_limit_is_capped_not_a_500(client, world, path):
    signed_in(client, world, "partner_a_admin")
    response = client.get(f"{path}?limit=99999999999999999999")
    assert response.status_code == 200
    assert len(response.json()["results"]) >= 1


@pytest.mark.parametrize("path", ["/api/v1/partners/", "/api/v1/partners/me/users/"])
def test_an_offset_beyond_the_rows_is_an_empty_page(client, world, path):
    signed_in(client, world, "partner_a_admin")
    response = client.get(f"{path}?offset=99999999999999999999")
    assert response.status_code == 200
    assert response.json()["results"] == []


def test_the_limit_is_capped_at_its_maximum(client, world):
    from tests.factories import partner_user

    for index in range(Pagination.max_limit + 1):
        partner_user(world["partner_a"], "sales", email=f"member{index}@partner-a.example")
    signed_in(client, world, "partner_a_admin")
    at_max = client.get(f"/api/v1/partners/me/users/?limit={Pagination.max_limit}").json()
    assert len(at_max["results"]) == Pagination.max_limit
    beyond = client.get(f"/api/v1/partners/me/users/?limit={Pagination.max_limit + 1}").json()
    assert len(beyond["results"]) == Pagination.max_limit
    assert "limit=200" in beyond["next"]


@pytest.mark.parametrize("value", ["abc", "-5", "1e309", "", "0x10", "99999999999999999999999999999999"])
def test_limits_and_offsets_that_are_not_counts_are_ignored(client, world, value):
    signed_in(client, world, "partner_a_admin")
    response = client.get("/api/v1/deals/", {"limit": value, "offset": value})
    assert response.status_code == 200


def _callbacks(patterns):
    for entry in patterns:
        if isinstance(entry, URLPattern):
            yield entry.callback
        else:
            yield from _callbacks(entry.url_patterns)


def test_every_api_view_paginates_and_parses_with_the_bounded_classes():
    from rest_framework.parsers import BaseParser

    wrong = []
    for callback in _callbacks(get_resolver().url_patterns):
        cls = getattr(callback, "cls", None)
        if cls is None:
            continue
        paginator = getattr(cls, "pagination_class", None)
        if paginator is not None and not issubclass(paginator, Pagination):
            wrong.append(f"{cls.__name__}.pagination_class")
        for parser in getattr(cls, "parser_classes", ()):
            if issubclass(parser, BaseParser) and not issubclass(parser, SAFE_PARSERS):
                wrong.append(f"{cls.__name__}: {parser.__name__}")
    assert wrong == []


def test_no_module_builds_its_own_paginator_or_parser():
    """Pagination and parsing come from prm.api_input, so a new view cannot get an unbounded one."""
    root = Path(__file__).resolve().parents[2]
    offenders = []
    packages = [path for path in root.iterdir() if (path / "__init__.py").exists() and path.name != "tests"]
    for path in (module for package in packages for module in package.rglob("*.py")):
        relative = path.relative_to(root)
        if relative == Path("prm/api_input.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b(LimitOffsetPagination|PageNumberPagination|CursorPagination)\b", text) or re.search(
            r"\b(JSONParser|FormParser|MultiPartParser)\b", text
        ):
            offenders.append(str(relative))
    assert offenders == []


# --- the admin's lists ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", ["99999999999999999999", "9999999999", "9999", "-1"])
def test_a_date_hierarchy_year_out_of_range_is_a_wrong_filter_not_a_500(client, world, mfa, year):
    mfa(world["channel_manager"])
    signed_in(client, world, "channel_manager")
    response = client.get(f"/admin/partners/application/?created_at__year={year}")
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_every_admin_list_is_guarded():
    from django.contrib import admin
    from django.test import RequestFactory

    from prm.admin_changelist import GuardedChangeList

    request = RequestFactory().get("/")
    unguarded = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not issubclass(model_admin.get_changelist(request), GuardedChangeList)
    ]
    assert unguarded == []
