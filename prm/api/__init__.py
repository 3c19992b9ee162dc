"""API foundations shared by every app: the scoped base viewset, the error handler, strict input,
the workflow base (errors, responses, input, the 409 answer, list filtering, actions) and /api/v1/me/."""

from .base import RequestTooLarge, ScopedViewSet, StateConflict, exception_handler
from .me import MeSerializer, MeUpdateSerializer, MeView, PartnerBriefSerializer
from .serializers import DetailSerializer, NamedChoiceField, NamedChoiceFieldExtension, StrictSerializer

__all__ = [
    "DetailSerializer",
    "MeSerializer",
    "MeUpdateSerializer",
    "MeView",
    "NamedChoiceField",
    "NamedChoiceFieldExtension",
    "PartnerBriefSerializer",
    "RequestTooLarge",
    "ScopedViewSet",
    "StateConflict",
    "StrictSerializer",
    "exception_handler",
]
