"""/api/v1/leads/: lead distribution through the API.

Reads go through ``lead_list`` (the scoped selector, with the acceptance and first-contact clocks
annotated); every write calls one service of ``leads.services``. The answers a client meets, in
the order they are decided:

- 401 not signed in; 404 a lead outside the caller's scope, the same as a missing one (a pool lead
  for partner users and CAMs, a lead reassigned away for its former partner);
- 403 the caller's role may not do this (the answer, the stages and the conversion are for the
  users of the partner holding the lead; creation for staff who add leads; assignment for staff
  who assign leads; explanations for staff only);
- 400 the input is wrong (unknown or protected fields, wrong types, absurd numbers, unknown
  products or partners): a translated message per field;
- 409 the lead's current status does not allow the operation (a double accept, an answer after a
  lapse or a reassignment, a retried request). The answer carries the translated reason and the
  lead's status now, or null when the lead is no longer the caller's, so the client can reload it.

A partner reads a preview (company, country, industry, product interest, rating and the acceptance
countdown) while the lead is offered, and everything once it accepted (``lead_fields_for``).
"""

from __future__ import annotations

import functools
from decimal import Decimal

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from partners.models import CompanySize, Industry
from partners.selectors import partners_visible
from prm.api import (
    ConflictSerializer,
    CountryField,
    LabelField,
    NamedChoiceField,
    StateConflict,
    StrictBooleanField,
    StrictSerializer,
    rule_refusal,
)
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
from prm.tenancy import is_vendor_staff

from .. import services
from ..models import AssignmentOutcome, AssignmentStrategy, DeclineReason, Lead, LeadRating, LeadStatus
from ..selectors import INBOX_FILTERS, lead_assignments, lead_fields_for, lead_list

MAX_TEXT = 5000
_PK_MAX = 2**63 - 1

# --- Errors -----------------------------------------------------------------------------------


class Conflict(StateConflict):
    """The lead's status no longer allows the operation; the status is null when the lead is no longer
    the caller's."""

    default_detail = _("This lead changed meanwhile; reload it and try again.")


class LeadConflictSerializer(ConflictSerializer):
    detail = serializers.CharField(help_text=_("Why the lead's current status does not allow this."))
    status = NamedChoiceField(
        enum_name="LeadStatusEnum",
        choices=LeadStatus.choices,
        allow_null=True,
        help_text=_("The lead's status now (null when the lead is no longer yours)."),
    )


ERRORS = error_responses(
    not_found=_("No such lead in your scope."),
    conflict_serializer=LeadConflictSerializer,
    conflict=_("The lead's current status does not allow this."),
)
LEFT_SCOPE = OpenApiResponse(
    description=_("Done; the lead left your scope (for instance it went back to the vendor pool).")
)


_responses = functools.partial(responses, ERRORS)


# --- Input ------------------------------------------------------------------------------------


def _text_field(max_length=MAX_TEXT, **kwargs):
    return serializers.CharField(max_length=max_length, **kwargs)


class LeadCreateSerializer(StrictSerializer):
    """A new lead from the vendor's marketing systems. Status, partner, rule and dates are never input."""

    contact_name = _text_field(200)
    email = serializers.EmailField(max_length=254)
    phone = _text_field(40, required=False, allow_blank=True)
    company = _text_field(200)
    company_size = NamedChoiceField(
        enum_name="LeadCompanySizeEnum", choices=CompanySize.choices, required=False, allow_blank=True
    )
    industry = NamedChoiceField(
        enum_name="LeadIndustryEnum", choices=Industry.choices, required=False, allow_blank=True
    )
    country = CountryField(
        message=_("Choose the country from the list."),
        help_text=_("ISO 3166-1 alpha-2 code of the lead's country, e.g. BR."),
    )
    region = _text_field(100, required=False, allow_blank=True, help_text=_("Region or state."))
    city = _text_field(100, required=False, allow_blank=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    product = serializers.IntegerField(
        min_value=1,
        max_value=_PK_MAX,
        required=False,
        allow_null=True,
        help_text=_("Id of the product of interest (an active product of the catalogue)."),
    )
    rating = serializers.ChoiceField(choices=LeadRating.choices, required=False)
    source = _text_field(100, required=False, allow_blank=True)
    notes = _text_field(required=False, allow_blank=True)
    assign = StrictBooleanField(
        required=False, default=False, help_text=_("Place the lead with the assignment rules at once.")
    )


class DeclineSerializer(StrictSerializer):
    reason = NamedChoiceField(
        enum_name="DeclineReasonEnum", choices=DeclineReason.choices, help_text=_("Why you decline the lead.")
    )
    note = _text_field(required=False, allow_blank=True, default="")


ADVANCE_CHOICES = [
    (LeadStatus.CONTACTED.value, LeadStatus.CONTACTED.label),
    (LeadStatus.QUALIFIED.value, LeadStatus.QUALIFIED.label),
]


class AdvanceSerializer(StrictSerializer):
    stage = NamedChoiceField(
        enum_name="LeadStageEnum", choices=ADVANCE_CHOICES, help_text=_("The next stage: contacted, then qualified.")
    )


class LostSerializer(StrictSerializer):
    reason = _text_field(help_text=_("Why the lead was lost."))


class ConvertSerializer(StrictSerializer):
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), help_text=_("Estimated amount, at most two decimals.")
    )
    currency = serializers.ChoiceField(
        choices=Currency.choices, required=False, help_text=_("The program's currency when left out.")
    )
    expected_close_date = serializers.DateField(help_text=_("Today or later."))
    notes = _text_field(required=False, allow_blank=True, default="")


class ReassignSerializer(StrictSerializer):
    partner = serializers.IntegerField(
        min_value=1,
        max_value=_PK_MAX,
        required=False,
        allow_null=True,
        help_text=_("Id of an active partner you look after; left out: the assignment rules choose."),
    )
    note = _text_field(required=False, allow_blank=True, default="")

    default_error_messages = {"unknown_partner": _("Choose an active partner you look after.")}

    def validate_partner(self, value):
        if value is None:
            return None
        user = self.context["request"].user
        partner = partners_visible(user).filter(pk=value, is_active=True).first()
        if partner is None:
            raise rule_refusal(self.error_messages["unknown_partner"])
        return partner


class ReturnToPoolSerializer(StrictSerializer):
    reason = _text_field(required=False, allow_blank=True, default="")


# --- Output -----------------------------------------------------------------------------------

# Shown with the preview: the countdown of the offer. The first-contact clock comes with the details.
CLOCK_FIELDS = ("acceptance_due_at", "acceptance_state")
DETAIL_CLOCK_FIELDS = ("first_contact_due_at", "first_contact_state")
LABEL_FIELDS = {"status": "status_label", "product": "product_name", "partner": "partner_name", "rule": "rule_name"}


class LeadSerializer(serializers.Serializer):
    # Left out of the answers to partner users (staff only).
    optional_fields = ("partner_name", "rule_name")

    id = serializers.IntegerField()
    status = NamedChoiceField(enum_name="LeadStatusEnum", choices=LeadStatus.choices)
    status_label = LabelField(source="get_status_display")
    company = serializers.CharField()
    country = serializers.CharField()
    industry = NamedChoiceField(enum_name="LeadIndustryEnum", choices=Industry.choices, allow_blank=True)
    product = serializers.IntegerField(source="product_id", allow_null=True, help_text=_("Product of interest."))
    product_name = serializers.SerializerMethodField()
    rating = serializers.ChoiceField(choices=LeadRating.choices)
    acceptance_due_at = serializers.DateTimeField(
        source="acceptance_clock.due_at",
        allow_null=True,
        required=False,
        help_text=_("When the answer to the offer is due."),
    )
    acceptance_state = NamedChoiceField(
        source="acceptance_clock.state",
        enum_name="LeadClockStateEnum",
        choices=DeadlineState.choices,
        allow_null=True,
        required=False,
        help_text=_("State of the acceptance clock."),
    )
    # After acceptance (and for staff).
    contact_name = serializers.CharField(required=False, help_text=_("After acceptance."))
    email = serializers.CharField(required=False, help_text=_("After acceptance."))
    phone = serializers.CharField(required=False, help_text=_("After acceptance."))
    company_size = NamedChoiceField(
        enum_name="LeadCompanySizeEnum", choices=CompanySize.choices, allow_blank=True, required=False
    )
    region = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    latitude = serializers.FloatField(allow_null=True, required=False)
    longitude = serializers.FloatField(allow_null=True, required=False)
    source = serializers.CharField(required=False)
    notes = serializers.CharField(required=False)
    lost_reason = serializers.CharField(required=False)
    deal = serializers.IntegerField(
        source="deal_id", allow_null=True, required=False, help_text=_("The deal registration it became.")
    )
    offered_at = serializers.DateTimeField(allow_null=True, required=False)
    accepted_at = serializers.DateTimeField(allow_null=True, required=False)
    contacted_at = serializers.DateTimeField(allow_null=True, required=False)
    qualified_at = serializers.DateTimeField(allow_null=True, required=False)
    closed_at = serializers.DateTimeField(allow_null=True, required=False)
    first_contact_due_at = serializers.DateTimeField(
        source="first_contact_clock.due_at",
        allow_null=True,
        required=False,
        help_text=_("When the first contact is due."),
    )
    first_contact_state = NamedChoiceField(
        source="first_contact_clock.state",
        enum_name="LeadClockStateEnum",
        choices=DeadlineState.choices,
        allow_null=True,
        required=False,
        help_text=_("State of the first-contact clock."),
    )
    # Staff only.
    partner = serializers.IntegerField(source="partner_id", allow_null=True, required=False, help_text=_("Staff only."))
    partner_name = serializers.SerializerMethodField(help_text=_("Staff only."))
    rule = serializers.IntegerField(source="rule_id", allow_null=True, required=False, help_text=_("Staff only."))
    rule_name = serializers.SerializerMethodField(help_text=_("Staff only."))
    reassignments = serializers.IntegerField(required=False, help_text=_("Staff only."))
    created_by = serializers.IntegerField(
        source="created_by_id", allow_null=True, required=False, help_text=_("Staff only.")
    )
    created_at = serializers.DateTimeField(required=False, help_text=_("Staff only."))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_product_name(self, lead) -> str | None:
        return str(lead.product) if lead.product_id else None

    @extend_schema_field(serializers.CharField(allow_null=True, required=False))
    def get_partner_name(self, lead) -> str | None:
        return lead.partner.name if lead.partner_id else None

    @extend_schema_field(serializers.CharField(allow_null=True, required=False))
    def get_rule_name(self, lead) -> str | None:
        return lead.rule.name if lead.rule_id else None

    def to_representation(self, lead):
        request = self.context.get("request")
        # Every lead serialized here is a row of lead_list(user) (the viewset reads only through it).
        readable = set(lead_fields_for(request.user, lead, scoped=True)) if request is not None else set()
        if not readable:
            return {}
        allowed = set(readable) | {LABEL_FIELDS[name] for name in readable if name in LABEL_FIELDS}
        allowed |= set(CLOCK_FIELDS)
        if "accepted_at" in readable:
            allowed |= set(DETAIL_CLOCK_FIELDS)
        data = super().to_representation(lead)
        return {name: value for name, value in data.items() if name in allowed}


class ConvertResultSerializer(serializers.Serializer):
    deal = serializers.IntegerField(help_text=_("Id of the new deal registration (a draft)."))
    deal_url = serializers.URLField(help_text=_("The deal registration in the API."))
    lead = LeadSerializer(allow_null=True, help_text=_("The lead now; null when it left your scope."))


class AssignmentSerializer(serializers.Serializer):
    """One offer of the lead and why the partner was chosen."""

    id = serializers.IntegerField()
    partner = serializers.IntegerField(source="partner_id")
    partner_name = serializers.CharField(source="partner.name")
    rule = serializers.IntegerField(source="rule_id", allow_null=True)
    rule_name = serializers.SerializerMethodField()
    strategy = serializers.ChoiceField(choices=AssignmentStrategy.choices)
    strategy_label = serializers.CharField(source="get_strategy_display")
    assigned_at = serializers.DateTimeField()
    assigned_by = serializers.SerializerMethodField(help_text=_("Email of the staff user; null: the rules."))
    reason = serializers.SerializerMethodField(
        help_text=_("Why this partner: code (next_in_turn, highest_score, nearest, manual) and its details.")
    )
    candidates_count = serializers.SerializerMethodField()
    candidates = serializers.SerializerMethodField(
        help_text=_("The winner and the runners-up with their scores (at most ten).")
    )
    excluded = serializers.SerializerMethodField(help_text=_("Partners left out (declined or let the lead lapse)."))
    rules_without_candidates = serializers.SerializerMethodField(
        help_text=_("Matching rules tried first that had no free partner.")
    )
    explanation = serializers.JSONField(help_text=_("The explanation as recorded."))
    accepted_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    outcome = serializers.ChoiceField(choices=AssignmentOutcome.choices, allow_blank=True)
    decline_reason = NamedChoiceField(enum_name="DeclineReasonEnum", choices=DeclineReason.choices, allow_blank=True)
    note = serializers.CharField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_rule_name(self, assignment) -> str | None:
        return assignment.rule.name if assignment.rule_id else (assignment.explanation or {}).get("rule_name")

    @extend_schema_field(serializers.EmailField(allow_null=True))
    def get_assigned_by(self, assignment) -> str | None:
        return assignment.assigned_by.email if assignment.assigned_by_id else None

    @extend_schema_field(serializers.DictField())
    def get_reason(self, assignment) -> dict:
        reason = (assignment.explanation or {}).get("reason") or {}
        return reason if isinstance(reason, dict) else {"code": str(reason)}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_candidates_count(self, assignment) -> int | None:
        return (assignment.explanation or {}).get("candidates_count")

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_candidates(self, assignment) -> list:
        return (assignment.explanation or {}).get("candidates") or []

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_excluded(self, assignment) -> list:
        return (assignment.explanation or {}).get("excluded") or []

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_rules_without_candidates(self, assignment) -> list:
        return (assignment.explanation or {}).get("rules_without_candidates") or []


# --- Permissions ------------------------------------------------------------------------------

PARTNER_ACTIONS = frozenset({"accept", "decline", "advance", "lost", "convert"})
ASSIGN_ACTIONS = frozenset({"assign", "reassign", "return_to_pool"})


class LeadPermission(BasePermission):
    """Who may do what; the services check again. Scope is already decided (404) when this runs."""

    def has_permission(self, request, view):
        if view.action == "create":
            require_staff_permission(request.user, "leads.add_lead", _("You may not create leads."))
        return True

    def has_object_permission(self, request, view, lead):
        user = request.user
        if view.action in PARTNER_ACTIONS:
            require_partner_member(
                user, lead.partner_id, _("Only the users of the partner holding the lead may do this.")
            )
        elif view.action in ASSIGN_ACTIONS:
            require_staff_permission(user, "leads.assign_lead", _("You may not assign leads."))
        elif view.action == "explanation" and not is_vendor_staff(user):
            raise exceptions.PermissionDenied(_("Only the channel team reads why a partner was chosen."))
        return True


# --- The viewset ------------------------------------------------------------------------------

LEAD_ID = id_parameter(_("Lead id."))


# An action on one lead (POST unless ``methods`` says otherwise); by default answering the lead as it is afterwards.
_lead_action = functools.partial(detail_action, parameters=[LEAD_ID], responses=_responses(200, LeadSerializer))


class LeadViewSet(WorkflowViewSet):
    """Leads the caller may see: those offered to or worked by their partner, their assigned partners'
    leads, or every lead (the vendor pool included) for channel managers and executives. Partner users
    answer offers and work their leads into deal registrations; the channel team brings leads in,
    assigns and reassigns them and reads why each partner was chosen."""

    selector = staticmethod(lead_list)
    serializer_class = LeadSerializer
    permission_classes = [IsAuthenticated, LeadPermission]
    record_name = "lead"
    conflict_class = Conflict
    lost_scope_is_conflict = True
    list_filters = INBOX_FILTERS
    input_serializers = {
        "create": LeadCreateSerializer,
        "decline": DeclineSerializer,
        "advance": AdvanceSerializer,
        "lost": LostSerializer,
        "convert": ConvertSerializer,
        "reassign": ReassignSerializer,
        "return_to_pool": ReturnToPoolSerializer,
        "explanation": AssignmentSerializer,
    }

    def with_api_fields(self, queryset):
        return queryset.select_related("rule")

    def current_status(self, lead: Lead):
        """The lead's status now, or None when it is no longer in the caller's scope; 404 once deleted."""
        if not Lead.objects.filter(pk=lead.pk).exists():
            raise Http404
        return Lead.objects.visible_to(self.request.user).filter(pk=lead.pk).values_list("status", flat=True).first()

    def left_scope(self) -> Response:
        """204 when the action took the lead out of the caller's scope."""
        return Response(status=status.HTTP_204_NO_CONTENT)

    # --- reads ---

    @extend_schema(
        summary=_("Leads in your scope"),
        parameters=[
            status_parameter(
                INBOX_FILTERS,
                _(
                    "Only leads in these statuses (repeat the parameter for several); "
                    "open: accepted and being worked; closed: converted or lost."
                ),
            ),
        ],
        responses={200: LeadSerializer(many=True), 400: ERRORS[400]},
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary=_("One lead"),
        description=_("Before acceptance a partner reads a preview only; the contact comes with the acceptance."),
        parameters=[LEAD_ID],
        responses={200: LeadSerializer, 404: ERRORS[404]},
    )
    def retrieve(self, request, *args, **kwargs):
        return super().retrieve(request, *args, **kwargs)

    # --- staff: intake and assignment ---

    @idempotent
    @extend_schema(
        summary=_("Create a lead (staff, e.g. the marketing systems)"),
        description=_("The lead lands in the vendor pool; with assign the rules place it at once."),
        request=LeadCreateSerializer,
        responses=_responses(201, LeadSerializer, codes=(400, 403), extra={204: LEFT_SCOPE}),
    )
    def create(self, request, *args, **kwargs):
        data = self.read_input(LeadCreateSerializer)
        lead = self.call(services.lead_create, **data)
        return self.respond(lead, status.HTTP_201_CREATED)

    @_lead_action(
        url_path="assign",
        request=None,
        summary=_("Place a pool lead with the assignment rules now"),
        description=_("Without a matching rule the lead stays in the pool and the channel managers are alerted."),
        responses=_responses(200, LeadSerializer, extra={204: LEFT_SCOPE}),
    )
    def assign(self, request, *args, **kwargs):
        return self.act(services.lead_assign_by_rules)

    @_lead_action(
        url_path="reassign",
        request=ReassignSerializer,
        summary=_("Give the lead to a partner you look after, or to the rules' next choice"),
        responses=_responses(200, LeadSerializer, extra={204: LEFT_SCOPE}),
    )
    def reassign(self, request, *args, **kwargs):
        return self.act(services.lead_reassign, ReassignSerializer)

    @_lead_action(
        url_path="return-to-pool",
        request=ReturnToPoolSerializer,
        summary=_("Take the lead back into the vendor pool"),
        responses=_responses(200, LeadSerializer, extra={204: LEFT_SCOPE}),
    )
    def return_to_pool(self, request, *args, **kwargs):
        return self.act(services.lead_return_to_pool, ReturnToPoolSerializer)

    @_lead_action(
        url_path="explanation",
        request=None,
        methods=("get",),
        pagination_class=None,
        summary=_("Why this partner? The lead's assignments with their explanations (staff)"),
        responses={200: AssignmentSerializer(many=True), 403: ERRORS[403], 404: ERRORS[404]},
    )
    def explanation(self, request, *args, **kwargs):
        lead = self.get_object()
        assignments = lead_assignments(request.user, lead).order_by("-assigned_at", "-pk")
        return Response(AssignmentSerializer(assignments, many=True, context=self.get_serializer_context()).data)

    # --- partner: the answer and the lifecycle ---

    @_lead_action(
        url_path="accept",
        request=None,
        summary=_("Accept an offered lead"),
        description=_("Two answers at once, or an answer after a reassignment: one succeeds, the other is 409."),
    )
    def accept(self, request, *args, **kwargs):
        return self.act(services.lead_accept)

    @_lead_action(
        url_path="decline",
        request=DeclineSerializer,
        summary=_("Decline an offered lead (a reason from the list)"),
        description=_("The lead goes to the next partner of the rules, or back to the pool; it is no longer yours."),
        responses=_responses(204, None),
    )
    def decline(self, request, *args, **kwargs):
        lead = self.get_object()
        data = self.read_input(DeclineSerializer)
        self.call(services.lead_decline, lead, **data)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @_lead_action(url_path="advance", request=AdvanceSerializer, summary=_("Mark the lead contacted or qualified"))
    def advance(self, request, *args, **kwargs):
        lead = self.get_object()
        data = self.read_input(AdvanceSerializer)
        return self.respond(self.call(services.lead_advance, lead, to_status=data["stage"]))

    @_lead_action(url_path="lost", request=LostSerializer, summary=_("Close the lead as lost (reason required)"))
    def lost(self, request, *args, **kwargs):
        return self.act(services.lead_mark_lost, LostSerializer)

    @idempotent
    @_lead_action(
        url_path="convert",
        request=ConvertSerializer,
        summary=_("Convert a contacted or qualified lead into a deal registration"),
        description=_("Creates a draft deal registration pre-filled from the lead and linked to it."),
        responses=_responses(201, ConvertResultSerializer),
    )
    def convert(self, request, *args, **kwargs):
        lead = self.get_object()
        data = self.read_input(ConvertSerializer)
        deal = self.call(services.lead_convert, lead, **data)
        fresh = self.fresh(lead)
        deal_url = request.build_absolute_uri(reverse("deal-detail", args=[deal.pk]))
        body = {
            "deal": deal.pk,
            "deal_url": deal_url,
            "lead": LeadSerializer(fresh, context=self.get_serializer_context()).data if fresh else None,
        }
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": deal_url})
