"""Serializers shared by every API: strict input, error answers and named enums."""

import re
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.utils import html


class DetailSerializer(serializers.Serializer):
    """An error answer with one message (the schema of 403, 404 and 409 answers)."""

    detail = serializers.CharField()


class StrictSerializer(serializers.Serializer):
    """Input that refuses fields it does not know (status, partner, dates of approval…) instead of ignoring them."""

    IGNORED = frozenset({"csrfmiddlewaretoken"})
    default_error_messages = {"unknown": _("This field is unknown or cannot be set.")}

    def unknown_fields(self, data) -> dict:
        """``{name: [message]}`` for each name of the input that is not a writable field. Form input
        names nested fields by prefix (``addresses[0]city``, ``answers.5``)."""
        if not isinstance(data, Mapping):
            return {}
        writable = {name for name, field in self.fields.items() if not field.read_only} | self.IGNORED
        form = html.is_html_input(data)
        names = sorted(
            str(key)
            for key in data
            if str(key) not in writable and not (form and re.split(r"[.\[]", str(key), maxsplit=1)[0] in writable)
        )
        return {name: [self.error_messages["unknown"]] for name in names}

    def to_internal_value(self, data):
        unknown = self.unknown_fields(data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if unknown and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**unknown, **error.detail}) from None
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as a named enum component (``enum_name``) instead of an inline enum,
    so that a field name shared with another API (``status``, ``stage``) does not make the schema's
    enum names collide."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "prm.api.serializers.NamedChoiceField"

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        values = [value for value in field.choices if value not in ("", None)]
        description = "\n".join(f"* `{value}` - {label}" for value, label in field.choices.items() if value)
        component = ResolvedComponent(
            name=field.enum_name,
            type=ResolvedComponent.SCHEMA,
            object=field.enum_name,
            schema={"enum": values, "type": "string", "description": description},
        )
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref
