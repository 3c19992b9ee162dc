"""The OpenAPI schema of every API view (``DEFAULT_SCHEMA_CLASS``), exact about what the views do.

- Every operation documents the errors any request can meet: 400 (messages per field), 401 (no or
  a wrong token), 403, 404, 429 (throttled), and 413 / 415 where it takes a body; an app's own
  description of one of them (its 404, its 409) is kept. Every error answer has its JSON body;
  a path under /api/ that matches no operation (an id outside its pattern) answers the same JSON
  404 (``prm.api.not_found``).
- A 400 or 409 from a rule that no schema states (a state, an id that must exist, a date, a
  duplicate) carries ``"code": "rule"`` (``prm.api.base``); the 400 body documents the key.
- The input of a ``StrictSerializer`` refuses properties it does not know
  (``additionalProperties: false``), as the serializer does.
- A field of an answer that a role or a state leaves out (``optional_fields`` of the output
  serializer) is not required; an input that needs at least one of its fields says so
  (``min_properties`` of the serializer: ``minProperties``).
- A decimal sent as a string has at least one digit, and no sign when it may not be negative.
- A URL of the input is an http(s) address with a host name (the addresses Django's URL
  validator accepts include these; an IP address or a port is accepted but not documented).
- ``limit`` and ``offset`` are counts; anything else is ignored (``prm.api_input.Pagination``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.settings import api_settings

from .serializers import (
    RULE_CODE_CHOICES,
    RULE_CODE_ENUM,
    RULE_CODE_HELP,
    DetailSerializer,
    StrictSerializer,
    enum_component,
)

FIELD_ERRORS = "FieldErrors"
URL_PATTERN = r"https?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}(?:/[^\s]*)?"


class AutoSchema(openapi.AutoSchema):
    def _error_body(self, name: str):
        if name == FIELD_ERRORS:
            component = ResolvedComponent(
                name=FIELD_ERRORS,
                type=ResolvedComponent.SCHEMA,
                object=FIELD_ERRORS,
                schema={
                    "type": "object",
                    "description": str(_("Messages per field (lists of strings, nested for nested input).")),
                    "properties": {"code": {"allOf": [self._rule_code()], "description": str(RULE_CODE_HELP)}},
                    "additionalProperties": {},
                },
            )
            self.registry.register_on_missing(component)
            return component.ref
        return self.resolve_serializer(DetailSerializer, "response").ref

    def _rule_code(self) -> dict:
        component = enum_component(RULE_CODE_ENUM, RULE_CODE_CHOICES)
        self.registry.register_on_missing(component)
        return component.ref

    def _open(self) -> bool:
        view = self.view
        return not getattr(view, "authentication_classes", True) or any(
            permission is AllowAny for permission in getattr(view, "permission_classes", ())
        )

    def _errors(self) -> dict[str, tuple[str, str]]:
        errors = {
            "400": (_("Invalid input: messages per field."), FIELD_ERRORS),
            "404": (_("Not found in your scope."), "Detail"),
            "429": (_("Too many requests: wait and try again."), "Detail"),
        }
        if not self._open():
            errors["401"] = (_("Not signed in: send a valid API token."), "Detail")
            errors["403"] = (_("Your role may not do this."), "Detail")
        if self.method in ("POST", "PUT", "PATCH"):
            errors["413"] = (_("The request is too large."), "Detail")
            errors["415"] = (_("Unsupported media type."), "Detail")
        return errors

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code, (description, _body) in self._errors().items():
            responses.setdefault(code, {"description": str(description)})
        for code, response in responses.items():
            if code >= "400" and "content" not in response:
                body = FIELD_ERRORS if code == "400" else "Detail"
                response["content"] = {"application/json": {"schema": self._error_body(body)}}
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        coerced = getattr(field, "coerce_to_string", None)
        if coerced is None:
            coerced = api_settings.COERCE_DECIMAL_TO_STRING
        if isinstance(field, serializers.DecimalField) and coerced and "pattern" in schema:
            schema["pattern"] = decimal_pattern(field)
        if isinstance(field, serializers.URLField) and direction == "request" and "$ref" not in schema:
            schema["pattern"] = f"^(?:{URL_PATTERN})?$" if field.allow_blank else f"^{URL_PATTERN}$"
        return schema

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        min_properties = getattr(serializer, "min_properties", None)
        if direction == "request" and min_properties:
            schema["minProperties"] = min_properties
        optional = getattr(serializer, "optional_fields", ())
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The decimals a ``DecimalField`` reads: at least one digit, at most its whole digits and
    decimal places, a sign only when it may be negative."""
    whole, places = field.max_whole_digits, field.decimal_places
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    fraction = rf"(?:\.\d{{0,{places}}})?" if places else ""
    leading = rf"|\.\d{{1,{places}}}" if places else ""
    return rf"^{sign}(?:\d{{1,{max(whole, 1)}}}{fraction}{leading})$"
