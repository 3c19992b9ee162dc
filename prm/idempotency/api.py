"""``@idempotent``: the optional ``Idempotency-Key`` header of every create of the API.

With the header, the create runs once per (user, view, key): a repeat, concurrent or later, answers
the first one's status and body with ``Idempotent-Replayed: true``; the same key with other content
answers 422 and does nothing. Without it, the create runs as it always did."""

from __future__ import annotations

import functools
import re

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.response import Response

from prm.api import RULE, RuleRefusalSerializer

from .services import KeyReused, key_claim, request_fingerprint

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    HEADER,
    {"type": "string", "pattern": f"^{KEY_PATTERN.pattern}$", "minLength": 1, "maxLength": 255},
    OpenApiParameter.HEADER,
    required=False,
    description=_(
        "Optional. A unique value of your choice (a UUID, 1 to 255 visible ASCII characters) that makes "
        "a retried request create one record: a repeat with the same key and the same content answers "
        "the first answer again, with the header Idempotent-Replayed: true; the same key with other "
        "content answers 422. A key expires after 24 hours unless the portal is configured otherwise."
    ),
)


class IdempotencyKeyReused(exceptions.APIException):
    """The key was used with other content: a duplicate, refused by a rule (``"code": "rule"``)."""

    status_code = 422
    default_code = "idempotency_key_reused"

    def __init__(self, detail=None):
        super().__init__(detail)
        self.detail = {"detail": self.detail, "code": RULE}


class _NotKept(Exception):
    """The create answered an error without raising: its claim is undone with the transaction."""

    def __init__(self, response):
        self.response = response


def _key(raw: str) -> str:
    key = raw.strip()
    if len(key) >= 2 and key[0] == key[-1] == '"':  # the structured-field form of the header: "value"
        key = key[1:-1]
    if not KEY_PATTERN.fullmatch(key):
        raise exceptions.ValidationError(
            {HEADER: [_("Send 1 to 255 visible ASCII characters (letters, digits, punctuation), e.g. a UUID.")]}
        )
    return key


def _replay(row) -> Response:
    headers = {REPLAYED_HEADER: "true"}
    if row.location:
        headers["Location"] = row.location
    return Response(row.body, status=row.status_code, headers=headers)


def idempotent(method):
    """Decorate the handler of a create (``create``, ``post`` or an action that creates)."""

    @functools.wraps(method)
    def handler(view, request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return method(view, request, *args, **kwargs)
        key = _key(raw)
        try:
            fingerprint = request_fingerprint(request, request.data)
        except RecursionError:  # content nested deeper than anything a create takes
            raise exceptions.ParseError() from None
        scope = f"api:{type(view).__name__}.{method.__name__}"
        try:
            with transaction.atomic():
                try:
                    claim = key_claim(user=request.user, scope=scope, key=key, fingerprint=fingerprint)
                except KeyReused as error:
                    raise IdempotencyKeyReused(error.message) from None
                if claim.replayed:
                    return _replay(claim.row)
                response = method(view, request, *args, **kwargs)
                if not 200 <= response.status_code < 300:
                    raise _NotKept(response)
                claim.complete(
                    status_code=response.status_code,
                    body=getattr(response, "data", None),
                    location=response.get("Location", ""),
                )
        except _NotKept as not_kept:
            return not_kept.response
        return response

    return _documented(handler)


KEY_REUSED_RESPONSE = OpenApiResponse(
    RuleRefusalSerializer, description=_("The idempotency key was already used with other content; nothing was done.")
)


def _documented(handler):
    """The header on the operation, and its 422 answer added to the responses it documents."""
    handler = extend_schema(parameters=[IDEMPOTENCY_KEY_PARAMETER])(handler)
    base = handler.kwargs["schema"]

    class IdempotentSchema(base):
        def get_response_serializers(self):
            responses = super().get_response_serializers()
            if isinstance(responses, dict):
                return {**responses, 422: KEY_REUSED_RESPONSE}
            return responses

    handler.kwargs["schema"] = IdempotentSchema
    return handler
