"""API foundations: the scoped base viewset, the error handler and /api/v1/me/."""

import re
from collections.abc import Mapping

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from rest_framework.utils import html
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from prm.accounts.services import user_set_language
from prm.errors import ServiceError
from prm.tenancy import membership_of, record_denied_access


class ScopedViewSet(viewsets.GenericViewSet):
    """Base of every API viewset. Rows come only from ``selector(user)``, a scoped selector.

    Subclasses set ``selector``; a class that brings its own ``get_queryset`` or ``queryset``,
    itself or through a mixin, is refused at import time, so no subclass can read past the
    tenancy scope by accident.
    """

    selector = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.get_queryset is not ScopedViewSet.get_queryset or cls.queryset is not None:
            raise TypeError(f"{cls.__name__} must set `selector`, not queryset/get_queryset.")

    def get_queryset(self):
        if self.selector is None:
            raise TypeError(f"{type(self).__name__} has no selector.")
        return type(self).selector(self.request.user)

    def get_object(self):
        lookup = {self.lookup_field: self.kwargs[self.lookup_url_kwarg or self.lookup_field]}
        try:
            obj = self.filter_queryset(self.get_queryset()).filter(**lookup).first()
        except (ValueError, TypeError, DjangoValidationError):
            raise Http404 from None
        if obj is None:
            model = self.get_queryset().model
            try:
                exists = model._default_manager.filter(**lookup).exists()
            except (ValueError, TypeError, DjangoValidationError):
                exists = False
            if exists:
                record_denied_access(self.request.user, model._meta.label, lookup)
            raise Http404
        self.check_object_permissions(self.request, obj)
        return obj


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request is too large.")
    default_code = "request_too_large"


def exception_handler(exc, context):
    """Every error a client can cause is a 4xx with a translated message, never a 500."""
    if isinstance(exc, ServiceError):
        detail = {exc.field: [str(exc.message)]} if exc.field else {"detail": str(exc.message)}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif isinstance(exc, TooManyFieldsSent):
        exc = exceptions.ValidationError({"detail": _("The request has too many fields.")})
    elif type(exc) is exceptions.ParseError:  # a subclass (prm.api_input.InputRefused) says why itself
        exc = exceptions.ParseError(_("The request body could not be read. Send well-formed JSON."))
    elif isinstance(exc, exceptions.PermissionDenied):
        request = context.get("request")
        if request is not None and request.user.is_authenticated:
            record_denied_access(request.user, request.path)
    return drf_exception_handler(exc, context)


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


# --- Named enums ------------------------------------------------------------------------------


class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as a named enum component (``enum_name``) instead of an inline enum,
    so that a field name shared with another API (``status``, ``stage``) does not make the schema's
    enum names collide."""

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "prm.api.NamedChoiceField"

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


class StateConflict(exceptions.APIException):
    """A record's state no longer allows the operation (a lost race or a stale client): 409 with
    ``{"detail": reason, "status": the state now}`` (null when the record is gone or out of scope)."""

    status_code = 409
    default_detail = _("This record changed meanwhile; reload it and try again.")
    default_code = "conflict"

    def __init__(self, detail=None, current_status=None):
        super().__init__(detail)
        self.detail = {"detail": self.detail, "status": current_status}


class PartnerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    tier = serializers.CharField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()
    is_staff = serializers.BooleanField()
    role = serializers.CharField(allow_null=True)
    staff_roles = serializers.ListField(child=serializers.CharField())
    partner = PartnerBriefSerializer(allow_null=True)


class MeUpdateSerializer(StrictSerializer):
    language = serializers.CharField(max_length=10)


class MeView(APIView):
    """The caller: who they are, their partner and role. PATCH changes their language."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        membership = membership_of(user)
        partner = membership.partner if membership else None
        data = {
            "id": user.pk,
            "email": user.email,
            "name": user.get_full_name(),
            "language": user.language or request.LANGUAGE_CODE,
            "is_staff": user.is_staff,
            "role": membership.role if membership else None,
            "staff_roles": sorted(user.groups.values_list("name", flat=True)) if user.is_staff else [],
            "partner": {
                "id": partner.pk,
                "name": partner.name,
                "country": partner.country,
                "tier": partner.tier.name if partner.tier else None,
            }
            if partner
            else None,
        }
        return Response(MeSerializer(data).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user_set_language(actor=request.user, language=serializer.validated_data["language"])
        return self.get(request)
