"""The OpenAPI schema of every API view (``DEFAULT_SCHEMA_CLASS``), exact about what the views do.

- Every operation documents the errors any request can meet: 400 (messages per field), 401 (no or
  a wrong token), 403, 404, 429 (throttled), and 413 / 415 where it takes a body; an app's own
  description of one of them (its 404, its 409) is kept. Every error answer has its JSON body.
- The input of a ``StrictSerializer`` refuses properties it does not know
  (``additionalProperties: false``), as the serializer does.
- A field of an answer that a role or a state leaves out (``optional_fields`` of the output
  serializer) is not required.
- ``limit`` and ``offset`` are counts; anything else is ignored (``prm.api_input.Pagination``).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import AllowAny

from .serializers import DetailSerializer, StrictSerializer

FIELD_ERRORS = "FieldErrors"


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
                    "additionalProperties": {},
                },
            )
            self.registry.register_on_missing(component)
            return component.ref
        return self.resolve_serializer(DetailSerializer, "response").ref

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

    def _map_basic_serializer(self, serializer, direction):
        schema = super()._map_basic_serializer(serializer, direction)
        if direction == "request" and isinstance(serializer, StrictSerializer):
            schema["additionalProperties"] = False
        optional = getattr(serializer, "optional_fields", ())
        if direction == "response" and optional and "required" in schema:
            schema["required"] = [name for name in schema["required"] if name not in optional]
            if not schema["required"]:
                del schema["required"]
        return schema
