"""API foundations shared by every app: the scoped base viewset, the error handler, strict input,
the workflow base (errors, responses, input, the 409 answer, list filtering, actions) and /api/v1/me/."""

from .base import RULE, RequestTooLarge, ScopedViewSet, StateConflict, exception_handler, rule_refusal
from .me import MeSerializer, MeUpdateSerializer, MeView, PartnerBriefSerializer
from .serializers import (
    ConflictSerializer,
    CountryField,
    DetailSerializer,
    LabelField,
    NamedChoiceField,
    NamedChoiceFieldExtension,
    RuleRefusalSerializer,
    StrictBooleanField,
    StrictSerializer,
)

__all__ = [
    "RULE",
    "ConflictSerializer",
    "CountryField",
    "DetailSerializer",
    "LabelField",
    "MeSerializer",
    "MeUpdateSerializer",
    "MeView",
    "NamedChoiceField",
    "NamedChoiceFieldExtension",
    "PartnerBriefSerializer",
    "RequestTooLarge",
    "RuleRefusalSerializer",
    "ScopedViewSet",
    "StateConflict",
    "StrictBooleanField",
    "StrictSerializer",
    "exception_handler",
    "rule_refusal",
]
