"""The scoped base viewset, the 409 answer and the error handler of every API view.

A refusal by a rule that no schema can state (a state transition, an id that must exist in the
caller's scope, a date relative to today, a duplicate) carries ``"code": "rule"`` in its JSON body,
next to its messages: the input had the documented shape and was read, a rule refused it. A
refusal for shape (blank, unknown property, wrong choice, wrong type) has no such key. Rule
refusals are every ``ServiceError``, every ``StateConflict`` (409) and the validation errors raised
with the code ``RULE`` (``rule_refusal``)."""

from collections.abc import Mapping

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from prm.errors import ServiceError
from prm.tenancy import record_denied_access

# The error code, and the value of the ``code`` key of an answer, of a refusal by a rule.
RULE = "rule"


def rule_refusal(message) -> exceptions.ValidationError:
    """A validation error for input of the right shape that a rule refuses (an unknown id…)."""
    return exceptions.ValidationError(message, code=RULE)


def _only_rules(detail) -> bool:
    """Whether every message of a validation error's detail has the code ``RULE``."""
    if isinstance(detail, Mapping):
        return bool(detail) and all(_only_rules(value) for value in detail.values())
    if isinstance(detail, list):
        return bool(detail) and all(_only_rules(value) for value in detail)
    return getattr(detail, "code", None) == RULE


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


class StateConflict(exceptions.APIException):
    """A record's state no longer allows the operation (a lost race or a stale client): 409 with
    ``{"detail": reason, "status": the state now}`` (null when the record is gone or out of scope)."""

    status_code = 409
    default_detail = _("This record changed meanwhile; reload it and try again.")
    default_code = "conflict"

    def __init__(self, detail=None, current_status=None):
        super().__init__(detail)
        self.detail = {"detail": self.detail, "status": current_status, "code": RULE}


class RequestTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = _("The request is too large.")
    default_code = "request_too_large"


def exception_handler(exc, context):
    """Every error a client can cause is a 4xx with a translated message, never a 500."""
    if isinstance(exc, ServiceError):
        detail = {exc.field: [str(exc.message)]} if exc.field else {"detail": str(exc.message)}
        exc = exceptions.ValidationError(detail, code=RULE)
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
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(exc, exceptions.ValidationError)
        and isinstance(response.data, dict)
        and _only_rules(exc.detail)
    ):
        response.data["code"] = RULE
    return response
