"""The API keeps its OpenAPI contract, checked by Schemathesis on every operation of the schema.

Each operation gets generated requests, valid and invalid ones, sent to the WSGI application as a
partner admin and as a channel manager, each with a personal API token. Every check must pass: no
server error, only documented status codes, headers and content types, answers that conform to
their schema, invalid input refused and valid input not refused for its shape."""

from __future__ import annotations

import itertools

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup

from deals import services as deal_services
from leads import services as lead_services
from leads.models import Lead, LeadStatus
from prm.accounts.services import api_token_create
from tests.deals.conftest import make_deal  # noqa: F401  (a fixture)
from tests.leads.conftest import LEAD_DEFAULTS

EXAMPLES_PER_OPERATION = 6

# Operations whose contract is not exact yet: each still runs every check, and a failure is
# reported as an expected one (xfail) until the schema or the view is fixed; once one passes,
# remove it from here.
KNOWN_GAPS = {
    "POST /api/v1/deals/": "a country the schema allows is refused (the schema has no country enum)",
    "PATCH /api/v1/deals/{id}/": "a country the schema allows is refused (the schema has no country enum)",
    "POST /api/v1/deals/{id}/close-won/": "schema-valid input refused by the service",
    "POST /api/v1/deals/{id}/progress/": "schema-valid input refused by the service",
    "POST /api/v1/leads/": "a country or product the schema allows is refused",
    "POST /api/v1/leads/{id}/convert/": "schema-valid input refused by the service",
    "POST /api/v1/leads/{id}/reassign/": "a partner id the schema allows is refused",
    "PATCH /api/v1/me/": "documented as a partial update, but the language is required",
    "PATCH /api/v1/partners/me/": "the addresses accept properties their schema does not list",
    "POST /api/v1/partners/me/users/": "schema-valid input refused by the service",
    "GET /api/v1/lead-imports/": "the answer does not match its schema",
    "POST /api/v1/lead-imports/": "schema-valid input refused",
    "GET /api/v1/lead-imports/{id}/": "an id outside the URL pattern answers the HTML 404 page",
    "GET /api/v1/lead-imports/{id}/errors/": "an id outside the URL pattern answers the HTML 404 page",
}

load_all_checks()
ALL_CHECKS = CHECKS.get_all()

APPLICATION = get_wsgi_application()
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = APPLICATION
schema.config.generation.update(
    modes=["positive", "negative"],
    max_examples=EXAMPLES_PER_OPERATION,
    deterministic=True,
    no_shrink=True,
    allow_x00=False,
)


@pytest.fixture(autouse=True)
def _connection_kept():
    """The requests run inside the test's transaction: the handler must not close the connection
    at their end (as Django's test client, which detaches the same receivers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def records(staff_mfa, make_deal):  # noqa: F811
    """Rows the generated requests meet: a draft and a submitted deal of partner A, a lead offered to it."""
    world = staff_mfa
    admin = world["partner_a_admin"]
    draft = make_deal(admin, world["partner_a"])
    make_deal(admin, world["partner_a"], submit=True, customer_company="Other Customer S.A.")
    lead = Lead.objects.create(status=LeadStatus.POOL, **LEAD_DEFAULTS)
    lead_services.lead_assign_manually(actor=world["channel_manager"], lead=lead, partner=world["partner_a"])
    assert deal_services  # the deals are made through their services (make_deal)
    return {"deals": draft.pk, "leads": lead.pk, "partners": world["partner_a"].pk}


def _existing_ids(records):
    """Every other request names a row that exists, so that answers other than 404 are checked too."""
    turns = itertools.cycle([True, False])

    def apply(case):
        if "id" in (case.path_parameters or {}) and next(turns):
            resource = case.operation.path.split("/")[3]
            if resource in records:
                case.path_parameters["id"] = records[resource]

    return apply


def _check(case, user, records):
    _token, raw = api_token_create(actor=user, name="contract") if not hasattr(user, "_raw") else (None, user._raw)
    user._raw = raw
    _existing_ids(records)(case)
    gap = KNOWN_GAPS.get(f"{case.operation.method.upper()} {case.operation.path}")
    try:
        case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=ALL_CHECKS)
    except FailureGroup:
        if not gap:
            raise
    else:
        return
    pytest.xfail(gap)  # outside the handler: one failure for Hypothesis, whatever the check


SETTINGS = hypothesis.settings(
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
    derandomize=True,
    database=None,
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
)


@schema.parametrize()
@SETTINGS
def test_as_a_partner_admin(case, records, staff_mfa):
    _check(case, staff_mfa["partner_a_admin"], records)


@schema.parametrize()
@SETTINGS
def test_as_a_channel_manager(case, records, staff_mfa):
    _check(case, staff_mfa["channel_manager"], records)


def test_every_operation_documents_the_errors_of_the_shared_base():
    document = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert documented >= {"400", "404", "429"}, (method, path)
            if method in ("post", "put", "patch"):
                assert documented >= {"413", "415"}, (method, path)
            for code in documented - {"204"}:
                if code.startswith("4"):
                    assert "application/json" in operation["responses"][code]["content"], (method, path, code)
    components = document["components"]["schemas"]
    assert components["ApproveRequest"]["additionalProperties"] is False
    assert components["DealDraftRequest"]["properties"]["customer_company"]["minLength"] == 1
    assert components["LanguageEnum"]["enum"] == ["en", "pt-br", "fr"]
    assert "partner_name" not in components["Lead"].get("required", [])
