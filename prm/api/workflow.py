"""The base of a workflow API (deals, leads, and the apps to come): records that move through
statuses by actions, each action one call of a service.

An app's viewset declares what is its own (the selector, the serializers per action, the list
filters, the permissions) and inherits the rest:

- input: ``read_input(SerializerClass)`` validates the request body (400 with a message per field);
- the call: ``call(service, record, **data)`` runs the service as the caller; a refused state
  transition (``ServiceError`` on the field ``status``) is 409 with the reason and the record's
  status now, a record deleted meanwhile is 404, a Django ``PermissionDenied`` is 403;
- the answer: ``respond(record)`` reads the record again through the scoped selector;
- the usual action: ``act(service, InputSerializer)`` is the record, its input, the call, the answer;
- the list: ``?status=`` (repeatable) narrows the scoped rows by the app's named filters;
- the schema: ``detail_action`` declares a POST (or GET) action on one record with its documented
  answers, ``error_responses`` the documented errors of an app;
- the permissions: ``require_partner_member`` and ``require_staff_permission`` refuse (403) a caller
  who is not a user of the record's partner, or not vendor staff holding a permission.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from prm.errors import ServiceError
from prm.tenancy import is_vendor_staff, membership_of

from .base import ScopedViewSet, StateConflict
from .serializers import DetailSerializer, StrictSerializer

# --- Documented answers -----------------------------------------------------------------------


def error_responses(*, not_found, conflict_serializer, conflict) -> dict[int, OpenApiResponse]:
    """The errors of a workflow API: 400 (messages per field), 403, 404 and 409 (with the record's
    status now), described in the app's words."""
    return {
        400: OpenApiResponse(description=_("Invalid input: messages per field.")),
        403: OpenApiResponse(DetailSerializer, description=_("Your role may not do this.")),
        404: OpenApiResponse(DetailSerializer, description=not_found),
        409: OpenApiResponse(conflict_serializer, description=conflict),
    }


def responses(errors: Mapping, ok_status: int = 200, ok=None, *, codes=(400, 403, 404, 409), extra=None) -> dict:
    """The answers of one operation: its success, any ``extra`` ones and the ``codes`` of ``errors``."""
    return {ok_status: ok, **(extra or {}), **{code: errors[code] for code in codes}}


def id_parameter(description) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


def detail_action(*, url_path: str, parameters, request, summary, responses, description=None, methods=("post",), **kw):
    """An action on one record (``/<id>/<url_path>/``), POST unless ``methods`` says otherwise."""

    def wrap(function):
        function = action(detail=True, methods=list(methods), url_path=url_path, url_name=url_path, **kw)(function)
        return extend_schema(
            summary=summary,
            description=description,
            parameters=parameters,
            request=request,
            responses=responses,
        )(function)

    return wrap


def status_parameter(filters: Mapping, description) -> OpenApiParameter:
    """``?status=`` repeatable, one of the named filters."""
    return OpenApiParameter(
        "status", OpenApiTypes.STR, enum=list(filters), many=True, explode=True, description=description
    )


def filter_by_status(queryset, params, filters: Mapping[str, Q]):
    """The rows matching any of the ``status`` parameters (each a key of ``filters``); 400 for an unknown one."""
    statuses = [value for value in params.getlist("status") if value]
    wrong = [value for value in statuses if value not in filters]
    if wrong:
        raise serializers.ValidationError(
            {"status": [_("Unknown status: %(value)s.") % {"value": ", ".join(wrong)[:100]}]}
        )
    if statuses:
        match = Q(pk__in=[])
        for value in statuses:
            match |= filters[value]
        queryset = queryset.filter(match)
    return queryset


# --- Permissions ------------------------------------------------------------------------------


def require_partner_member(user, partner_id, message) -> None:
    """403 with ``message`` unless ``user`` is a user of the partner ``partner_id``."""
    membership = membership_of(user)
    if membership is None or membership.partner_id != partner_id:
        raise exceptions.PermissionDenied(message)


def require_staff_permission(user, permission: str, message) -> None:
    """403 with ``message`` unless ``user`` is vendor staff holding ``permission``."""
    if not (is_vendor_staff(user) and user.has_perm(permission)):
        raise exceptions.PermissionDenied(message)


# --- The viewset ------------------------------------------------------------------------------


class WorkflowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """List, retrieve and actions on records with a ``status``.

    Subclasses set ``selector``, ``serializer_class`` (the output), ``input_serializers`` (per
    action), ``list_filters`` (the named ``?status=`` filters), ``record_name`` (the keyword of the
    record in the services, e.g. ``"deal"``) and ``conflict_class`` (a ``StateConflict``)."""

    input_serializers: Mapping = {}
    list_filters: Mapping[str, Q] = {}
    record_name = "record"
    conflict_class = StateConflict
    # A Django PermissionDenied for a record no longer in the caller's scope is a lost race (409).
    lost_scope_is_conflict = False

    def get_serializer_class(self):
        return self.input_serializers.get(self.action, self.serializer_class)

    def filter_queryset(self, queryset):
        """Narrows the scoped rows (never widens them) and adds the fields the API shows."""
        queryset = self.with_api_fields(queryset)
        if self.action == "list":
            queryset = self.filter_list(queryset)
        return queryset

    def with_api_fields(self, queryset):
        return queryset

    def filter_list(self, queryset):
        return filter_by_status(queryset, self.request.query_params, self.list_filters)

    # --- input, the service call, the answer ---

    def read_input(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def current_status(self, record):
        """The record's status now (None when it left the caller's scope, if the app says so); 404 once deleted."""
        model = type(record)
        current = model._default_manager.filter(pk=record.pk).values_list("status", flat=True).first()
        if current is None:
            raise Http404
        return current

    def call(self, service, record=None, **kwargs):
        """Run a service as the caller; a refused state transition is 409, a vanished record 404."""
        if record is not None:
            kwargs[self.record_name] = record
        try:
            return service(actor=self.request.user, **kwargs)
        except ServiceError as error:
            if error.field == "status" and record is not None:
                raise self.conflict_class(str(error.message), self.current_status(record)) from None
            raise
        except DjangoPermissionDenied as error:
            message = error.args[0] if error.args else None
            if self.lost_scope_is_conflict and record is not None and self.current_status(record) is None:
                # Taken away between reading and locking it.
                raise self.conflict_class(str(message) if message else None, None) from None
            raise exceptions.PermissionDenied(message) from None

    def act(self, service, input_serializer=StrictSerializer):
        """The usual action on one record: the record, its input, the service, the record afterwards."""
        record = self.get_object()
        data = self.read_input(input_serializer)
        return self.respond(self.call(service, record, **data))

    def fresh(self, record):
        return self.filter_queryset(self.get_queryset()).filter(pk=record.pk).first()

    def left_scope(self) -> Response:
        """The answer when the action took the record out of the caller's scope (or it was removed)."""
        raise Http404

    def respond(self, record, status_code: int = status.HTTP_200_OK) -> Response:
        """The record as it is now, through the scoped selector."""
        fresh = self.fresh(record)
        if fresh is None:
            return self.left_scope()
        return Response(self.serializer_class(fresh, context=self.get_serializer_context()).data, status=status_code)
