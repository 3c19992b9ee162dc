"""Hostile input on every route of the authorization matrix, for every role group: never a 5xx.

Every route is called as an anonymous visitor, a partner admin, a CAM and the channel manager
with the values of ``HOSTILE`` (NUL, huge and negative integers, ``1e309``, 100,000 characters,
invalid UTF-8, ``../``, SQL and HTML snippets, empty, arrays where scalars are expected,
right-to-left text and emoji, ``null``): as query parameters on GET, and as form fields and as a
JSON body on POST (and on the PATCH/PUT of the API routes that have them), plus deeply nested JSON.

The names the values go into are those the route reads: the API's input fields (from the OpenAPI
schema), the fields of the forms and the query parameters of the links on the page itself (admin
filters included, found by a plain GET as the same role), the data the matrix posts, and the usual
search and paging parameters.

Per route and role: a plain GET, the NUL in every query parameter, the table spread over the query
parameters ("mixed", starting at a different value per route and role) and one value in all of
them; then per write method the table spread over the fields (URL-encoded or multipart), one value
in all of them, the table as JSON, one of the values the JSON parser must refuse whole, and one
deeply nested body. A role that the route sends to a login page gets the NUL and the mixed query
only: every other answer is the same redirect.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode

import pytest
from django.core.cache import cache
from django.db import transaction

from tests.test_authorization_matrix import (  # noqa: F401 (cast is the matrix's fixture)
    ADMIN_LOGIN,
    ALL_ROUTES,
    LOGIN,
    POSTED,
    cast,
    client_for,
    outcome,
    route_path,
)

FUZZ_ROLES = ("anonymous", "partner_a_admin", "cam_a", "channel_manager")
QUERY_NAMES = ("q", "search", "status", "page", "limit", "offset", "next", "id")
# The admin's own parameters: any other name makes a changelist answer "?e=1" before it filters.
ADMIN_QUERY_NAMES = ("q", "o", "p")
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_NAMES = 40


@dataclass(frozen=True)
class Hostile:
    name: str
    text: str | bytes | list  # in a query string or a form field
    json: bytes  # the same as a JSON value


def hostile(name: str, text, json_value: bytes | None = None) -> Hostile:
    if json_value is None:
        json_value = json.dumps(text, ensure_ascii=False).encode()
    return Hostile(name, text, json_value)


HOSTILE = (
    hostile("nul", "\x00"),
    hostile("nul-inside", "ab\x00cd"),
    hostile("huge-int", "99999999999999999999", b"99999999999999999999"),
    hostile("huge-negative-int", "-99999999999999999999", b"-99999999999999999999"),
    hostile("negative-int", "-1", b"-1"),
    hostile("beyond-float", "1e309", b"1e309"),
    hostile("overlong", "x" * 100_000),
    hostile("invalid-utf8", b"\xff\xfe\xc3(", b'"\xff\xfe\xc3("'),
    hostile("path-traversal", "../../../../etc/passwd"),
    hostile("sql", "' OR '1'='1'; DROP TABLE deals_deal; --"),
    hostile("html", '"><script>alert(1)</script><img src=x onerror=alert(2)>'),
    hostile("empty", ""),
    hostile("array", ["1", "2"], b'["1", {"a": [2]}]'),
    hostile("rtl-emoji", "\u202egnp.exe \U0001f4a9\u200d\U0001f525 \u0645\u0631\u062d\u0628\u0627"),
    hostile("null", "null", b"null"),
    hostile("zero", "0", b"0"),
)
NUL = HOSTILE[0]
# Values the middleware or the JSON parser refuse whole: each is sent alone, never mixed with others.
REFUSED_WHOLE = {"nul", "nul-inside"}
REFUSED_BY_THE_PARSER = ("nul-inside", "beyond-float", "invalid-utf8", "huge-int")
DEEP_JSON = {"deep-arrays": b"[" * 100_000, "deep-objects": b'{"a":' * 5_000}


def by_name(name: str) -> Hostile:
    return next(value for value in HOSTILE if value.name == name)


def mixed(names, turn: int, *, exclude=()) -> list[tuple[str, Hostile]]:
    """The table spread over the names, starting at a different value each turn."""
    values = [value for value in HOSTILE if value.name not in REFUSED_WHOLE and value.name not in exclude]
    return [(name, values[(index + turn) % len(values)]) for index, name in enumerate(names)]


def single(names, value: Hostile) -> list[tuple[str, Hostile]]:
    return [(name, value) for name in names]


# --- the names a route reads --------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{[^}]+\}|\(\?P<[^>]+>[^)]*\)|<(?:\w+:)?\w+>")
_FIELD = re.compile(r"<(?:input|select|textarea)\b[^>]*?\bname=\"([^\"]+)\"")
_LINK_QUERY = re.compile(r"href=\"[^\"?#]*\?([^\"#]+)\"")


def _shape(path: str) -> str:
    return _PLACEHOLDER.sub("{}", path.replace("^", "").replace("$", "").lstrip("/"))


@lru_cache(maxsize=1)
def api_inputs() -> dict[str, dict[str, list[str]]]:
    """Path shape -> write method -> the input field names the OpenAPI schema documents."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    inputs: dict[str, dict[str, list[str]]] = {}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch"):
                continue
            names: list[str] = []
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content.get("schema", {}).get("$ref", "")
                properties = components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
                names += [name for name, spec in properties.items() if not spec.get("readOnly")]
            inputs.setdefault(_shape(path), {})[method] = list(dict.fromkeys(names))
    return inputs


def names_on_page(response) -> tuple[list[str], list[str]]:
    """The form fields and the link query parameters of an HTML page."""
    if not response.get("Content-Type", "").startswith("text/html"):
        return [], []
    page = response.content.decode(errors="replace")
    fields = [name for name in _FIELD.findall(page) if name != "csrfmiddlewaretoken"]
    params = [key for query in _LINK_QUERY.findall(page) for key, _value in parse_qsl(html.unescape(query))]
    return list(dict.fromkeys(fields)), list(dict.fromkeys(params))


# --- the requests -------------------------------------------------------------------------------


def query(pairs) -> str:
    return urlencode([(name, value.text) for name, value in pairs], doseq=True)


def multipart(pairs) -> dict:
    return {name: value.text for name, value in pairs}


def json_body(pairs) -> bytes:
    members = [json.dumps(name).encode() + b": " + value.json for name, value in pairs]
    return b"{" + b", ".join(members) + b"}"


def send(client, method: str, path: str, body=None, content_type=None):
    if method == "get":
        return client.get(path)
    if content_type is None:
        return getattr(client, method)(path, body)  # multipart form data
    return getattr(client, method)(path, body, content_type=content_type)


def stopped_at_login(response) -> bool:
    """The route sent the role to a login page: its other answers will be the same redirect."""
    return outcome(response) in (LOGIN, ADMIN_LOGIN)


class Fuzzer:
    """Sends one role's share of the table to one route; collects the 5xx answers."""

    def __init__(self, client, role: str):
        self.client, self.role = client, role
        self.failures: list[str] = []
        self.sent = 0

    def check(self, label: str, method: str, path: str, body=None, content_type=None):
        response = send(self.client, method, path, body, content_type)
        self.sent += 1
        if response.status_code >= 500:
            self.failures.append(f"{path} {self.role} {method.upper()} {label}: {response.status_code}")
        return response


def fuzz_route(route, route_index: int, cast) -> tuple[list[str], int]:  # noqa: F811 (the fixture's value)
    """Every role group's requests to one route: (the 5xx answers, the number of requests)."""
    path = route_path(route, cast)
    documented = api_inputs().get(_shape(route.pattern), {})
    write_methods = list(documented) or ["post"]
    failures, sent = [], 0
    for role_index, role in enumerate(FUZZ_ROLES):
        fuzzer = Fuzzer(client_for(role, cast), role)
        turn = route_index * len(FUZZ_ROLES) + role_index
        rotation = route_index + role_index

        plain = fuzzer.check("plain", "get", path)
        fields, link_params = names_on_page(plain)
        usual = ADMIN_QUERY_NAMES if route.pattern.startswith("admin/") else QUERY_NAMES
        names = list(dict.fromkeys([*usual, *link_params]))[:MAX_NAMES]
        fuzzer.check("query nul", "get", f"{path}?{query(single(names, NUL))}")
        fuzzer.check("query mixed", "get", f"{path}?{query(mixed(names, turn))}")
        if not stopped_at_login(plain):
            one = HOSTILE[turn % len(HOSTILE)]
            fuzzer.check(f"query {one.name}", "get", f"{path}?{query(single(names, one))}")
            for method in write_methods:
                names = [*documented.get(method, []), *POSTED.get(route.key, {}), *fields] or ["name", "id"]
                fuzz_body(fuzzer, method, path, list(dict.fromkeys(names))[:MAX_NAMES], turn, rotation)
        failures += fuzzer.failures
        sent += fuzzer.sent
    return failures, sent


def fuzz_body(fuzzer: Fuzzer, method: str, path: str, names: list[str], turn: int, rotation: int) -> None:
    one = HOSTILE[(turn + 1) % len(HOSTILE)]
    if method == "post" and rotation % 2:
        fuzzer.check("multipart mixed", method, path, multipart(mixed(names, turn)))
    else:
        fuzzer.check("form mixed", method, path, query(mixed(names, turn)), FORM)
    fuzzer.check(f"form {one.name}", method, path, query(single(names, one)), FORM)
    fuzzer.check("json mixed", method, path, json_body(mixed(names, turn, exclude=REFUSED_BY_THE_PARSER)), JSON)
    refused = by_name(REFUSED_BY_THE_PARSER[rotation % len(REFUSED_BY_THE_PARSER)])
    fuzzer.check(f"json {refused.name}", method, path, json_body(single(names, refused)), JSON)
    deep = list(DEEP_JSON)[rotation % len(DEEP_JSON)]
    fuzzer.check(deep, method, path, DEEP_JSON[deep], JSON)


def area(route) -> str:
    """Routes tested together on one cast: the admin per app, the rest per first path segment."""
    parts = route.pattern.replace("^", "").split("/")
    if parts[0] == "admin" and route.admin_model:
        return f"admin/{parts[1]}"
    return parts[0] or "home"


AREAS: dict[str, list[tuple[int, object]]] = {}
for _index, _route in enumerate(ALL_ROUTES):
    AREAS.setdefault(area(_route), []).append((_index, _route))


@pytest.mark.parametrize("area_name", sorted(AREAS))
def test_hostile_input_never_answers_a_5xx(area_name, cast):  # noqa: F811
    """Each route of the area on the same cast, its changes rolled back before the next route."""
    failures, sent = [], 0
    for route_index, route in AREAS[area_name]:
        cache.clear()  # rate limits and throttles start afresh for each route
        with transaction.atomic():
            route_failures, route_sent = fuzz_route(route, route_index, cast)
            transaction.set_rollback(True)
        failures += route_failures
        sent += route_sent
    print(f"{area_name}: {len(AREAS[area_name])} routes, {sent} requests")
    assert not failures, failures
