"""The API keeps its OpenAPI contract, checked by Schemathesis on every operation of the schema.

Each operation gets generated requests, valid and invalid ones, sent to the WSGI application as a
partner admin and as a channel manager, each with a personal API token. Every check must pass: no
server error, only documented status codes, headers and content types, answers that conform to
their schema, invalid input refused and valid input not refused for its shape.

Valid input may still be refused by a rule that no schema states (a state transition, an id that
must exist in the caller's scope, a date relative to today, a duplicate): the answer is then a
documented 400, 404, 409 or 422 whose body says so (``"code": "rule"``, ``prm.api.base``). Any other
refusal of valid input fails, and so does a refusal for shape that claims to be a rule's."""

from __future__ import annotations

import itertools
import uuid

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance
from schemathesis.transport.wsgi import WSGI_TRANSPORT
from werkzeug.datastructures import FileStorage

from deals import services as deal_services
from leads import services as lead_services
from leads.models import Lead, LeadStatus
from prm.accounts.services import api_token_create
from prm.api import RULE
from tests.deals.conftest import make_deal  # noqa: F401  (a fixture)
from tests.leads.conftest import LEAD_DEFAULTS

EXAMPLES_PER_OPERATION = 6

_, WERKZEUG_MULTIPART = WSGI_TRANSPORT.get_first_matching_media_type("multipart/form-data")


@WSGI_TRANSPORT.serializer("multipart/form-data")
def multipart_form_data(ctx, value):
    """The generated multipart body, encoded as RFC 7578 says. Werkzeug's test encoder leaves out
    the blank line after the headers of an empty part, so that the server reads no such field and
    an empty value (``"amount": ""``) would never reach it; and a number given as bytes would
    become a file."""
    serialized = WERKZEUG_MULTIPART(ctx, value)
    parts = serialized.get("data")
    if not isinstance(parts, dict):
        return serialized
    boundary = uuid.uuid4().hex
    body = bytearray()
    for name, values in parts.items():
        for part in values:
            disposition = f'form-data; name="{name}"'
            headers = ""
            if isinstance(part, FileStorage):
                # A part without a file name is a plain field (Werkzeug's parts carry any bytes so).
                if part.filename:
                    disposition += f'; filename="{part.filename}"'
                if part.content_type:
                    headers = f"Content-Type: {part.content_type}\r\n"
                content = part.stream.read()
            else:
                content = part if isinstance(part, bytes) else str(part).encode()
            body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n{headers}\r\n".encode()
            body += content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return {"data": bytes(body), "content_type": f"multipart/form-data; boundary={boundary}"}


RULE_REFUSAL_STATUSES = (400, 404, 409, 422)


def _is_rule_refusal(response, case) -> bool:
    """A documented 400, 404, 409 or 422 (an idempotency key used with other content) whose JSON
    body marks it as a rule's refusal."""
    if response.status_code not in RULE_REFUSAL_STATUSES:
        return False
    if str(response.status_code) not in case.operation.definition.raw.get("responses", {}):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("code") == RULE


def positive_data_acceptance_or_rule_refusal(ctx, response, case):
    """Schemathesis's ``positive_data_acceptance``, which also accepts a rule's refusal."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        if _is_rule_refusal(response, case):
            return None
        raise


load_all_checks()
ALL_CHECKS = [check for check in CHECKS.get_all() if check is not positive_data_acceptance]
ALL_CHECKS.append(positive_data_acceptance_or_rule_refusal)
assert len(ALL_CHECKS) == len(CHECKS.get_all())

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
    case.call_and_validate(headers={"Authorization": f"Bearer {raw}"}, checks=ALL_CHECKS)


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
