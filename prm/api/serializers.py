"""Serializers shared by every API: strict input, error answers, named enums and countries."""

import re
from collections.abc import Mapping

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.utils import html

from prm.countries import COUNTRIES

from .base import RULE


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

    def flat_nested_fields(self, data) -> dict:
        """``{name: [message]}`` for each nested input (a list of objects, an object) that form input
        sends under its bare name (``addresses=…``): a form names the properties of nested input by
        prefix (``addresses[0]city``), a bare value cannot be read and is refused, never ignored."""
        if not isinstance(data, Mapping) or not html.is_html_input(data):
            return {}
        errors = {}
        for name, field in self.fields.items():
            if field.read_only or name not in data or not isinstance(field, serializers.BaseSerializer):
                continue
            if isinstance(field, serializers.ListSerializer):
                message = field.error_messages["not_a_list"].format(input_type="str")
            else:
                message = field.error_messages["invalid"].format(datatype="str")
            errors[name] = [message]
        return errors

    def blank_form_values(self, data) -> dict:
        """``{name: [message]}`` for each optional field that form input sends blank although it
        takes no blank (a date, a number, a name): a form leaves a field out by not sending it, and
        a blank is read as what it is, a value the field refuses, not as "left out"."""
        if not isinstance(data, Mapping) or not html.is_html_input(data):
            return {}
        errors = {}
        for name, field in self.fields.items():
            if (
                field.read_only
                or field.required
                or field.allow_null
                or getattr(field, "allow_blank", False)
                or isinstance(field, (serializers.BaseSerializer, serializers.FileField, serializers.ListField))
                or data.get(name) != ""
            ):
                continue
            try:
                field.run_validation("")
            except serializers.ValidationError as error:
                errors[name] = error.detail
        return errors

    def numbers_for_text(self, data) -> dict:
        """``{name: [message]}`` for each text field that JSON input gives a number (or another
        non-string): the schema says string, so ``"postal_code": 12345`` is refused, not converted."""
        if not isinstance(data, Mapping) or html.is_html_input(data):
            return {}
        return {
            name: [field.error_messages["invalid"]]
            for name, field in self.fields.items()
            if isinstance(field, serializers.CharField)
            and not field.read_only
            and data.get(name) is not None
            and not isinstance(data.get(name), str)
        }

    def to_internal_value(self, data):
        refused = {
            **self.numbers_for_text(data),
            **self.blank_form_values(data),
            **self.flat_nested_fields(data),
            **self.unknown_fields(data),
        }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if refused and isinstance(error.detail, Mapping):
                raise serializers.ValidationError({**refused, **error.detail}) from None
            raise
        if refused:
            raise serializers.ValidationError(refused)
        return value


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as a named enum component (``enum_name``) instead of an inline enum,
    so that a field name shared with another API (``status``, ``stage``) does not make the schema's
    enum names collide."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


def enum_component(name: str, choices: Mapping) -> ResolvedComponent:
    """The named enum component of ``choices`` (``{value: label}``), blank and null left out."""
    values = [value for value in choices if value not in ("", None)]
    description = "\n".join(f"* `{value}` - {label}" for value, label in choices.items() if value)
    return ResolvedComponent(
        name=name,
        type=ResolvedComponent.SCHEMA,
        object=name,
        schema={"enum": values, "type": "string", "description": description},
    )


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "prm.api.serializers.NamedChoiceField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        component = enum_component(field.enum_name, field.choices)
        auto_schema.registry.register_on_missing(component)
        if field.allow_blank:
            return {"oneOf": [component.ref, {"type": "string", "enum": [""]}]}
        return component.ref


RULE_CODE_HELP = _(
    "rule: the input had the documented shape and a rule refused it (a state, an id that must exist "
    "in your scope, a date, a duplicate). Absent when the shape of the input was refused."
)
RULE_CODE_ENUM = "RuleCodeEnum"
RULE_CODE_CHOICES = {RULE: RULE}


class RuleRefusalSerializer(DetailSerializer):
    """An error answer of a rule: its message and ``"code": "rule"``."""

    code = NamedChoiceField(enum_name=RULE_CODE_ENUM, choices=list(RULE_CODE_CHOICES.items()), help_text=RULE_CODE_HELP)


class ConflictSerializer(RuleRefusalSerializer):
    """A 409 answer: the record's state does not allow the operation, a refusal by a rule."""

    # An app's subclass adds the status of its record.


class CountryField(NamedChoiceField):
    """A country: an ISO 3166-1 alpha-2 code of ``prm.countries``, the list the services accept
    (documented as the enum ``CountryEnum``). Lower case and surrounding blanks are accepted, as
    the services accept them; ``message`` is the service's own message for another value."""

    def __init__(self, *, message=None, **kwargs):
        if message is not None:
            kwargs["error_messages"] = {"invalid_choice": message, **kwargs.get("error_messages", {})}
        super().__init__(enum_name="CountryEnum", choices=list(COUNTRIES.items()), **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)


class LabelField(serializers.CharField):
    """The translated label of a code, for a person to read beside the code's own field: in the
    request's language and capitalised as a heading ("Draft", "Rascunho", "Brouillon")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return capfirst(super().to_representation(value))


class StrictBooleanField(serializers.BooleanField):
    """A boolean of the input: JSON ``true`` or ``false``, or their spelling in a form (``true``,
    ``false``); not 0, 1, "yes" or "on", which the schema's boolean does not allow."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if isinstance(data, str) and data.lower() in ("true", "false"):
            return data.lower() == "true"
        self.fail("invalid", input=data)
