"""/api/v1/deals/: deal registration through the API.

Reads go through ``deals_visible_to`` (the scoped selector); every write calls one service of
``deals.services``. The answers a client meets, in the order they are decided:

- 401 not signed in; 404 a deal outside the caller's scope, the same as a missing one;
- 403 the caller's role may not do this (partner actions are for the deal's partner users, the
  decisions for staff who approve deals: the partner's CAM or a channel manager);
- 400 the input is wrong (unknown or protected fields, wrong types, absurd amounts, unknown
  products): a translated message per field;
- 409 the deal's current status does not allow the operation: the service refused the state
  transition (``ServiceError`` on the field ``status``). This is what a lost race looks like:
  a double click, two approvers at once, a retried request. The answer carries the translated
  reason and the deal's status now, so the client can reload it.
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.db.models import F, IntegerField, Prefetch, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from catalogue.models import Product
from catalogue.selectors import active_products
from partners.recruitment import normalize_company_name
from prm.api import ConflictSerializer as BaseConflictSerializer
from prm.api import CountryField, LabelField, StateConflict, StrictBooleanField, StrictSerializer, rule_refusal
from prm.api.workflow import (
    WorkflowViewSet,
    detail_action,
    error_responses,
    id_parameter,
    require_partner_member,
    require_staff_permission,
    responses,
    status_parameter,
)
from prm.idempotency.api import idempotent
from prm.money.currencies import Currency
from prm.sla.models import DeadlineState
from prm.tenancy import is_vendor_staff, membership_of

from . import services
from .models import (
    OPEN_STATUSES,
    DealProgramSettings,
    DealStage,
    DealStatus,
)
from .selectors import LIST_FILTERS, deals_visible_to

MAX_TEXT = 5000
MAX_PRODUCTS = 50
MAX_SEARCH = 200
_PK_MAX = 2**63 - 1

# --- Errors -----------------------------------------------------------------------------------


class Conflict(StateConflict):
    """The deal's status no longer allows the operation; the status is null once the deal is gone."""

    default_detail = _("This deal registration changed meanwhile; reload it and try again.")


class ConflictSerializer(BaseConflictSerializer):
    detail = serializers.CharField(help_text=_("Why the deal's current status does not allow this."))
    status = serializers.ChoiceField(
        choices=DealStatus.choices, allow_null=True, help_text=_("The deal's status now (null once deleted).")
    )


ERRORS = error_responses(
    not_found=_("No such deal registration in your scope."),
    conflict_serializer=ConflictSerializer,
    conflict=_("The deal's current status does not allow this."),
)
_responses = functools.partial(responses, ERRORS)


# --- Input ------------------------------------------------------------------------------------


def _amount_field(**kwargs):
    return serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"), **kwargs)


def _text_field(**kwargs):
    return serializers.CharField(max_length=MAX_TEXT, **kwargs)


class ProductIdsField(serializers.ListField):
    """Ids of active products of the catalogue, checked in one query."""

    default_error_messages = {
        "unknown_products": _("These products do not exist or are no longer offered: %(ids)s."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("child", serializers.IntegerField(min_value=1, max_value=_PK_MAX))
        kwargs.setdefault("max_length", MAX_PRODUCTS)
        kwargs.setdefault("help_text", _("Ids of active products of the catalogue."))
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        ids = list(dict.fromkeys(super().to_internal_value(data)))
        products = {product.pk: product for product in active_products().filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in products]
        if missing:
            raise rule_refusal(self.error_messages["unknown_products"] % {"ids": ", ".join(missing)})
        return [products[pk] for pk in ids]


class DealDraftSerializer(StrictSerializer):
    """A draft registration. Status, partner, approver and protection dates are never input."""

    customer_company = serializers.CharField(max_length=200)
    customer_email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    customer_tax_id = serializers.CharField(max_length=60, required=False, allow_blank=True)
    customer_country = CountryField(
        message=_("Choose the customer's country from the list."),
        help_text=_("ISO 3166-1 alpha-2 code of the customer's country, e.g. BR."),
    )
    amount = _amount_field(help_text=_("Estimated amount, at most two decimals."))
    currency = serializers.ChoiceField(choices=Currency.choices, required=False)
    expected_close_date = serializers.DateField(help_text=_("Today or later."))
    notes = _text_field(required=False, allow_blank=True)
    products = ProductIdsField(required=False)


class AnswerSerializer(StrictSerializer):
    answer = _text_field(help_text=_("Your answer to the question of the channel team."))


class ExtensionRequestSerializer(StrictSerializer):
    reason = _text_field(required=False, allow_blank=True, default="")


class ProgressSerializer(StrictSerializer):
    min_properties = 1  # the stage, the amount or both

    stage = serializers.ChoiceField(choices=DealStage.choices, required=False)
    amount = _amount_field(required=False, help_text=_("The new estimated amount."))

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"stage": [_("Change the stage or the amount.")]})
        return attrs


class CloseWonSerializer(StrictSerializer):
    final_amount = _amount_field()
    closed_on = serializers.DateField()


class ReasonSerializer(StrictSerializer):
    reason = _text_field()


class ApproveSerializer(StrictSerializer):
    reject_conflicting = StrictBooleanField(
        required=False, default=False, help_text=_("Also reject the open registrations that conflict with this one.")
    )


class RejectSerializer(ReasonSerializer):
    reject_conflicting = StrictBooleanField(
        required=False, default=False, help_text=_("Also reject the open registrations that conflict with this one.")
    )


class RequestInfoSerializer(StrictSerializer):
    question = _text_field(help_text=_("The question for the partner; the decision clock pauses until they answer."))


class ExtensionDecisionSerializer(StrictSerializer):
    approve = StrictBooleanField(help_text=_("True grants the extension, false refuses it."))
    reason = _text_field(required=False, allow_blank=True, default="")


# --- Output -----------------------------------------------------------------------------------

EXTENSION_STATES = [
    ("requested", _("requested, awaiting a decision")),
    ("available", _("can be requested")),
    ("unavailable", _("cannot be requested")),
]
STAFF_ONLY_FIELDS = ("conflict_flag", "conflict_check_failed", "awaiting_second_approval")


class DealSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    customer_company = serializers.CharField()
    customer_email = serializers.CharField()
    customer_tax_id = serializers.CharField()
    customer_country = serializers.CharField()
    products = serializers.SerializerMethodField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    currency = serializers.ChoiceField(choices=Currency.choices)
    expected_close_date = serializers.DateField(allow_null=True)
    notes = serializers.CharField()
    status = serializers.ChoiceField(choices=DealStatus.choices)
    status_label = LabelField(source="get_status_display")
    stage = serializers.ChoiceField(choices=DealStage.choices, allow_blank=True)
    conflict_review = serializers.SerializerMethodField()
    info_question = serializers.CharField()
    info_answer = serializers.CharField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    decision_due_at = serializers.DateTimeField(
        source="decision_clock.due_at",
        allow_null=True,
        help_text=_("When the decision is due (null while the clock is paused or without a clock)."),
    )
    decision_state = serializers.ChoiceField(
        source="decision_clock.state",
        choices=DeadlineState.choices,
        allow_null=True,
        help_text=_("State of the decision clock."),
    )
    approved_at = serializers.DateTimeField(allow_null=True)
    protected_until = serializers.DateTimeField(allow_null=True)
    is_protecting = serializers.SerializerMethodField()
    extension_state = serializers.SerializerMethodField()
    extensions_used = serializers.IntegerField()
    extensions_left = serializers.IntegerField()
    extension_requested_at = serializers.DateTimeField(allow_null=True)
    extension_reason = serializers.CharField()
    decision_reason = serializers.CharField(source="decision_reason_display")
    final_amount = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    closed_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    # Staff only: left out of the answers to partner users.
    conflict_flag = serializers.BooleanField(required=False, help_text=_("Staff only."))
    conflict_check_failed = serializers.BooleanField(required=False, help_text=_("Staff only."))
    awaiting_second_approval = serializers.BooleanField(required=False, help_text=_("Staff only."))

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_products(self, deal) -> list[int]:
        return sorted(product.pk for product in deal.products.all())

    @extend_schema_field(
        serializers.CharField(
            allow_null=True, help_text=_("Shown while another registration may be the same customer.")
        )
    )
    def get_conflict_review(self, deal) -> str | None:
        if deal.conflict_flag and deal.status in OPEN_STATUSES:
            return str(_("Conflict review under way"))
        return None

    def get_is_protecting(self, deal) -> bool:
        return deal.is_protecting()

    @extend_schema_field(serializers.ChoiceField(choices=EXTENSION_STATES))
    def get_extension_state(self, deal) -> str:
        if deal.extension_requested_at is not None:
            return "requested"
        if deal.is_protecting() and deal.extensions_left > 0:
            return "available"
        return "unavailable"

    def to_representation(self, deal):
        data = super().to_representation(deal)
        request = self.context.get("request")
        if request is None or not is_vendor_staff(request.user):
            for name in STAFF_ONLY_FIELDS:
                data.pop(name, None)
        return data


def with_api_fields(queryset):
    """The deal rows with what the API shows, in a constant number of queries: the latest decision clock
    (``decision_state``, ``decision_due_at``), the extensions left and the product ids."""
    default_max = DealProgramSettings._meta.get_field("max_extensions").default
    return queryset.annotate(
        extensions_left=Greatest(
            Coalesce("partner__program__deal_settings__max_extensions", Value(default_max)) - F("extensions_used"),
            Value(0),
            output_field=IntegerField(),
        ),
    ).prefetch_related("decision_clock", Prefetch("products", queryset=Product.objects.only("pk")))


# --- Permissions ------------------------------------------------------------------------------

PARTNER_ACTIONS = frozenset(
    {"partial_update", "destroy", "submit", "answer", "request_extension", "progress", "close_won", "close_lost"}
)
STAFF_ACTIONS = frozenset({"approve", "reject", "request_info", "extension_decision"})


def _is_partner_user(user) -> bool:
    return membership_of(user) is not None


class DealPermission(BasePermission):
    """Who may do what; the services check again. Scope is already decided (404) when this runs."""

    def has_permission(self, request, view):
        if view.action == "create" and not _is_partner_user(request.user):
            raise exceptions.PermissionDenied(_("Only partner users register deals."))
        return True

    def has_object_permission(self, request, view, deal):
        if view.action in PARTNER_ACTIONS:
            require_partner_member(
                request.user, deal.partner_id, _("Only the users of the deal's partner may do this.")
            )
        elif view.action in STAFF_ACTIONS:
            require_staff_permission(request.user, "deals.approve_deal", _("You may not decide on deal registrations."))
        return True


# --- The viewset ------------------------------------------------------------------------------

DEAL_ID = id_parameter(_("Deal registration id."))


# A POST action on one deal, answering the deal as it is afterwards.
_deal_action = functools.partial(detail_action, parameters=[DEAL_ID], responses=_responses(200, DealSerializer))


class DealViewSet(WorkflowViewSet):
    """Deal registrations the caller may see: their partner's, their assigned partners', or all for
    channel managers and executives. Partner users register, submit and follow their deals; the
    partner's CAM and the channel managers decide on them."""

    selector = staticmethod(deals_visible_to)
    serializer_class = DealSerializer
    permission_classes = [IsAuthenticated, DealPermission]
    record_name = "deal"
    conflict_class = Conflict
    list_filters = LIST_FILTERS
    input_serializers = {
        "create": DealDraftSerializer,
        "partial_update": DealDraftSerializer,
        "answer": AnswerSerializer,
        "request_extension": ExtensionRequestSerializer,
        "progress": ProgressSerializer,
        "close_won": CloseWonSerializer,
        "close_lost": ReasonSerializer,
        "approve": ApproveSerializer,
        "reject": RejectSerializer,
        "request_info": RequestInfoSerializer,
        "extension_decision": ExtensionDecisionSerializer,
    }

    def with_api_fields(self, queryset):
        return with_api_fields(queryset)

    def filter_list(self, queryset):
        """``status`` (repeatable: any of them; a status, ``open`` or ``active`` as on the deal pages)
        and ``search`` (part of the customer's company name or email)."""
        queryset = super().filter_list(queryset)
        search = " ".join(self.request.query_params.get("search", "").split())
        if len(search) > MAX_SEARCH:
            raise serializers.ValidationError(
                {"search": [_("Search for at most %(count)d characters.") % {"count": MAX_SEARCH}]}
            )
        if search:
            match = Q(customer_company__icontains=search) | Q(customer_email__icontains=search)
            normalized = normalize_company_name(search)
            if normalized:
                match |= Q(customer_name_normalized__contains=normalized)
            queryset = queryset.filter(match)
        return queryset

    # --- CRUD ---

    @extend_schema(
        summary=_("Deal registrations in your scope"),
        parameters=[
            status_parameter(
                LIST_FILTERS,
                _(
                    "Only deals in these statuses (repeat the parameter for several); "
                    "open: awaiting a decision; active: approved."
                ),
            ),
            OpenApiParameter("search", OpenApiTypes.STR, description=_("Part of the customer's company name.")),
        ],
        responses={200: DealSerializer(many=True), 400: ERRORS[400]},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("One deal registration"), parameters=[DEAL_ID], responses={200: DealSerializer, 404: ERRORS[404]}
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    @idempotent
    @extend_schema(
        summary=_("Register a deal (draft)"),
        request=DealDraftSerializer,
        responses=_responses(201, DealSerializer, codes=(400, 403)),
    )
    def create(self, request, *args, **kwargs):
        data = self.read_input(DealDraftSerializer)
        partner = membership_of(request.user).partner
        deal = self.call(services.deal_create_draft, partner=partner, **data)
        return self.respond(deal, status.HTTP_201_CREATED)

    @extend_schema(
        summary=_("Change a draft"),
        parameters=[DEAL_ID],
        request=DealDraftSerializer,
        responses=_responses(200, DealSerializer),
    )
    def partial_update(self, request, *args, **kwargs):
        deal = self.get_object()
        data = self.read_input(DealDraftSerializer, partial=True)
        products = data.pop("products", None)
        deal = self.call(services.deal_update_draft, deal, products=products, **data)
        return self.respond(deal)

    @extend_schema(
        summary=_("Delete a draft"), parameters=[DEAL_ID], responses=_responses(204, None, codes=(403, 404, 409))
    )
    def destroy(self, request, *args, **kwargs):
        deal = self.get_object()
        self.call(services.deal_delete_draft, deal)
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- partner actions ---

    @_deal_action(url_path="submit", request=None, summary=_("Submit a draft for approval"))
    def submit(self, request, *args, **kwargs):
        return self.act(services.deal_submit)

    @_deal_action(url_path="answer", request=AnswerSerializer, summary=_("Answer the channel team's question"))
    def answer(self, request, *args, **kwargs):
        return self.act(services.deal_answer_info, AnswerSerializer)

    @_deal_action(
        url_path="request-extension",
        request=ExtensionRequestSerializer,
        summary=_("Request a longer protection"),
    )
    def request_extension(self, request, *args, **kwargs):
        return self.act(services.deal_request_extension, ExtensionRequestSerializer)

    @_deal_action(
        url_path="progress",
        request=ProgressSerializer,
        summary=_("Update the sales stage or amount of an approved deal"),
    )
    def progress(self, request, *args, **kwargs):
        return self.act(services.deal_update_progress, ProgressSerializer)

    @_deal_action(url_path="close-won", request=CloseWonSerializer, summary=_("Close an approved deal as won"))
    def close_won(self, request, *args, **kwargs):
        return self.act(services.deal_close_won, CloseWonSerializer)

    @_deal_action(url_path="close-lost", request=ReasonSerializer, summary=_("Close an approved deal as lost"))
    def close_lost(self, request, *args, **kwargs):
        return self.act(services.deal_close_lost, ReasonSerializer)

    # --- staff decisions ---

    @_deal_action(
        url_path="approve",
        request=ApproveSerializer,
        summary=_("Approve (or give the first of two approvals)"),
        description=_("Two approvals at once: one succeeds, the other answers 409."),
    )
    def approve(self, request, *args, **kwargs):
        return self.act(services.deal_approve, ApproveSerializer)

    @_deal_action(url_path="reject", request=RejectSerializer, summary=_("Reject; the partner receives the reason"))
    def reject(self, request, *args, **kwargs):
        return self.act(services.deal_reject, RejectSerializer)

    @_deal_action(
        url_path="request-info", request=RequestInfoSerializer, summary=_("Ask the partner for more information")
    )
    def request_info(self, request, *args, **kwargs):
        return self.act(services.deal_request_info, RequestInfoSerializer)

    @_deal_action(
        url_path="extension-decision",
        request=ExtensionDecisionSerializer,
        summary=_("Grant or refuse a requested extension"),
    )
    def extension_decision(self, request, *args, **kwargs):
        return self.act(services.deal_extension_decide, ExtensionDecisionSerializer)
