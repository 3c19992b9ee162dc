"""Lead distribution in the admin: the leads with their clocks, the routing actions and "why this partner?".

The admin only reads (the scoped queryset, ``leads.selectors``) and calls ``leads.services``; no rule
of routing or of the lead's lifecycle lives here.

- Leads: staff who may (``leads.add_lead``) create a lead with a form validated by
  ``clean_lead_fields`` and saved by ``lead_create``; nobody edits fields or deletes a lead. The
  routing actions (assign by the rules, reassign, return to the pool) are changelist actions with a
  confirmation form and buttons on the change page (custom URLs ``admin:leads_lead_assign``,
  ``..._reassign``, ``..._return``, POST only, ``leads.assign_lead``). A refusal of the service is an
  error message for that lead, never a 500.
- A CAM sees the leads held by the partners assigned to them (``Lead.objects.visible_to``): pool
  leads are the channel managers'.
- The clock column reads the acceptance or the first-contact clock from ``deadline_columns`` (one
  correlated sub-query per column) and the calendars once per page, so the changelist's query count
  does not grow with rows.
- Assignment rules and the program's lead settings: the channel manager edits them, the others read.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from deals.models import Product
from partners.models import CompanySize, Industry, Partner, Program, Region
from prm.admin_actions import ConfirmedActionsMixin, error_text
from prm.admin_changelist import GuardedChangeList
from prm.admin_filters import PartnerInScopeFilter
from prm.audit.admin import AuditTrailAdminMixin
from prm.countries import COUNTRIES, country_name
from prm.errors import ServiceError
from prm.sla.calendar import Schedule
from prm.sla.display import NO_CLOCK, ClockState, ClockStateFilter, clock_from_row, clock_state_of, deadline_columns
from prm.sla.models import BusinessCalendar
from prm.tenancy import sees_all_partners

from . import services
from .models import (
    ACCEPTANCE_KIND,
    FIRST_CONTACT_KIND,
    WORKING_STATUSES,
    AssignmentOutcome,
    AssignmentRule,
    AssignmentStrategy,
    Lead,
    LeadAssignment,
    LeadProgramSettings,
    LeadRating,
    LeadStatus,
    PartnerLocation,
)
from .selectors import lead_assignments
from .services import config as services_config

# --- Clocks -----------------------------------------------------------------------------------

CLOCK_PREFIXES = {ACCEPTANCE_KIND: "acceptance", FIRST_CONTACT_KIND: "first_contact"}
CLOCK_NAMES = {"acceptance": _("acceptance"), "first_contact": _("first contact")}
SLA_CHOICES = [
    (ClockState.ON_TIME, _("on time")),
    (ClockState.DUE_SOON, _("due soon")),
    (ClockState.BREACHED, _("breached")),
    (ClockState.PAUSED, _("paused")),
    (ClockState.MET, _("met")),
    (NO_CLOCK, _("no clock running")),
]


def current_clock_prefix(lead) -> str | None:
    """The clock that matters for a lead now: acceptance while offered, first contact once accepted."""
    if lead.status == LeadStatus.OFFERED:
        return "acceptance"
    if lead.status in WORKING_STATUSES:
        return "first_contact"
    return None


def with_clocks(queryset):
    """Leads annotated with their acceptance and first-contact clocks (``prm.sla.display``) and the
    rule and strategy of their current assignment."""
    current = LeadAssignment.objects.filter(lead=OuterRef("pk"), ended_at__isnull=True)
    return queryset.annotate(
        **deadline_columns(Lead, ACCEPTANCE_KIND, "acceptance"),
        **deadline_columns(Lead, FIRST_CONTACT_KIND, "first_contact"),
        current_rule_name=Subquery(current.values("rule__name")[:1]),
        current_strategy=Subquery(current.values("strategy")[:1]),
    )


def load_schedules(calendar_ids) -> dict[int, Schedule]:
    """The business calendars of a page, with their holidays: two queries whatever the rows."""
    calendars = BusinessCalendar.objects.filter(pk__in={pk for pk in calendar_ids if pk}).prefetch_related("holidays")
    return {
        calendar.pk: Schedule.from_calendar(calendar, holidays=[h.date for h in calendar.holidays.all()])
        for calendar in calendars
    }


def attach_clocks(leads, now=None) -> None:
    """Set ``lead.clock`` (a ``prm.sla.display.Clock`` or None) and ``lead.clock_name`` on annotated leads."""
    now = now or timezone.now()
    leads = list(leads)
    ids = [getattr(lead, f"{prefix}_calendar_id", None) for lead in leads for prefix in CLOCK_PREFIXES.values()]
    schedules = load_schedules(ids)
    for lead in leads:
        prefix = current_clock_prefix(lead)
        lead.clock_name = CLOCK_NAMES.get(prefix, "")
        lead.clock = None
        if prefix is not None:
            schedule = schedules.get(getattr(lead, f"{prefix}_calendar_id", None))
            lead.clock = clock_from_row(lead, prefix, schedule, now)


def clock_badge(lead) -> str:
    clock = getattr(lead, "clock", None)
    if clock is None:
        return "—"
    parts = [format_html('<span class="sla-badge sla-{}">{}</span>', clock.state, clock.label)]
    if clock.due_at is not None and clock.state != ClockState.MET:
        when = formats.date_format(timezone.localtime(clock.due_at), "SHORT_DATETIME_FORMAT")
        parts.append(format_html('<span class="sla-due">{}</span>', gettext("due %(when)s") % {"when": when}))
    if clock.state == ClockState.PAUSED and clock.remaining_text:
        parts.append(format_html('<span class="sla-due">{}</span>', clock.remaining_text))
    return format_html(
        '<span class="sla-clock-name">{}</span> {}', lead.clock_name, format_html_join(" ", "{}", ((p,) for p in parts))
    )


class LeadChangeList(GuardedChangeList):
    """Attaches the clocks to the page's rows once they are read."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        attach_clocks(self.result_list)


# --- Filters ----------------------------------------------------------------------------------


class SlaStateFilter(ClockStateFilter):
    """Leads by the state of the clock that matters now (acceptance while offered, first contact after),
    as the badge shows it (a cancelled clock reads as met)."""

    title = _("clock")
    states = SLA_CHOICES

    def filter_state(self, queryset, value):
        now = timezone.now()
        acceptance = clock_state_of(Lead, ACCEPTANCE_KIND, now=now, cancelled=ClockState.MET)
        first_contact = clock_state_of(Lead, FIRST_CONTACT_KIND, now=now, cancelled=ClockState.MET)
        current = Case(
            When(status=LeadStatus.OFFERED, then=acceptance),
            When(status__in=WORKING_STATUSES, then=first_contact),
            default=Value(NO_CLOCK),
        )
        return queryset.alias(_clock_state=current).filter(_clock_state=value)


class RatingFilter(admin.SimpleListFilter):
    title = _("rating")
    parameter_name = "rating"

    def lookups(self, request, model_admin):
        return LeadRating.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(rating=value) if value else queryset


class CountryFilter(admin.SimpleListFilter):
    """The countries of the leads the user sees (not of every lead)."""

    title = _("country")
    parameter_name = "country"

    def lookups(self, request, model_admin):
        codes = Lead.objects.visible_to(request.user).order_by("country").values_list("country", flat=True).distinct()
        return [(code, f"{country_name(code)} ({code})") for code in codes]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(country=value.upper()) if value else queryset


class RuleFilter(admin.SimpleListFilter):
    title = _("rule used")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return [
            ("manual", _("Assigned by hand")),
            *((str(pk), name) for pk, name in AssignmentRule.objects.values_list("pk", "name")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "manual":
            return queryset.filter(current_strategy=AssignmentStrategy.MANUAL)
        if value and value.isdigit():
            return queryset.filter(rule_id=int(value))
        return queryset.none() if value else queryset


# --- Forms ------------------------------------------------------------------------------------


def _country_choices():
    choices = sorted(((code, f"{name} ({code})") for code, name in COUNTRIES.items()), key=lambda c: str(c[1]))
    return [("", "---------"), *choices]


class LeadCreateForm(forms.ModelForm):
    """A new lead: the fields are checked by ``clean_lead_fields`` (shown beside each field) and the
    lead is made by ``lead_create``."""

    country = forms.ChoiceField(label=_("country"), choices=())
    product = forms.ModelChoiceField(label=_("product interest"), queryset=Product.objects.none(), required=False)
    assign_now = forms.BooleanField(
        label=_("Assign by the rules now"),
        required=False,
        help_text=_("Otherwise the lead waits in the vendor pool for the next routing run."),
    )

    class Meta:
        model = Lead
        fields = services.LEAD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "country" in self.fields:  # the add form (the change page shows the fields read-only)
            self.fields["country"].choices = _country_choices()
        if "product" in self.fields:
            self.fields["product"].queryset = Product.objects.filter(is_active=True)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.lead_fields = services.clean_lead_fields({name: cleaned.get(name) for name in services.LEAD_FIELDS})
        except ServiceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned

    def _post_clean(self):
        # The model's own validation is not the rule: ``clean_lead_fields`` is (through the service).
        pass


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit trail)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AssignForm(forms.Form):
    """Nothing to ask: the rules decide."""


class ReassignForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("The rules choose (leaving out the current partner)"),
    )
    note = forms.CharField(
        label=_("Note (kept with the assignment)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.visible_to(user).filter(is_active=True).order_by("name")


# --- "Why this partner?" ----------------------------------------------------------------------

NEAREST_BASIS = {
    "distance": _("distance between the lead and the partner's location"),
    "same_region": _("same region or state as the lead"),
    "same_country": _("same country as the lead"),
    "elsewhere": _("outside the lead's country (no closer partner)"),
}


def _partner_names(ids) -> dict[int, str]:
    return dict(Partner.objects.filter(pk__in={pk for pk in ids if pk}).values_list("pk", "name"))


def _referenced_partners(explanation: dict) -> list[int]:
    ids = list(explanation.get("excluded") or [])
    reason = explanation.get("reason")
    if isinstance(reason, dict) and reason.get("after_partner"):
        ids.append(reason["after_partner"])
    if explanation.get("winner"):
        ids.append(explanation["winner"])
    return ids


def explain_assignment(assignment: LeadAssignment, names: dict[int, str]) -> dict:
    """An assignment's explanation as the page shows it, in the reader's language."""
    data = assignment.explanation or {}
    strategy = assignment.strategy
    reason = data.get("reason") if isinstance(data.get("reason"), dict) else {}
    code = reason.get("code", "")
    winner = assignment.partner.name
    if code == "next_in_turn":
        after = reason.get("after_partner")
        if after:
            why = gettext(
                "%(winner)s was next in turn: the rule's rotation last gave a lead to %(previous)s, and "
                "%(winner)s is the first free candidate after it."
            ) % {"winner": winner, "previous": names.get(after, gettext("partner #%(id)s") % {"id": after})}
        else:
            why = gettext("%(winner)s was first in the rule's rotation (the rule had not placed a lead yet).") % {
                "winner": winner
            }
    elif code == "highest_score":
        why = gettext(
            "%(winner)s had the highest score: lead weight × performance ÷ (2 × open leads + 1), so the "
            "partner least loaded for its weight and results wins."
        ) % {"winner": winner}
    elif code == "nearest":
        basis = NEAREST_BASIS.get(reason.get("basis"), reason.get("basis", ""))
        why = gettext("%(winner)s was the nearest candidate (%(basis)s).") % {"winner": winner, "basis": basis}
    elif code == "manual" or strategy == AssignmentStrategy.MANUAL:
        who = data.get("by") or (assignment.assigned_by.email if assignment.assigned_by else "")
        why = gettext("Assigned by hand by %(who)s.") % {"who": who or gettext("a staff member")}
        if data.get("note") or assignment.note:
            why += " " + gettext("Note: %(note)s") % {"note": data.get("note") or assignment.note}
    else:
        why = gettext("No explanation was recorded for this assignment.")
    columns = {
        AssignmentStrategy.ROUND_ROBIN: [("position", _("Position in the rotation")), ("open_leads", _("Open leads"))],
        AssignmentStrategy.WEIGHTED: [
            ("score", _("Score")),
            ("lead_weight", _("Lead weight")),
            ("performance", _("Performance")),
            ("acceptance", _("Acceptance")),
            ("speed", _("Speed")),
            ("conversion", _("Conversion")),
            ("open_leads", _("Open leads")),
        ],
        AssignmentStrategy.NEAREST: [("basis", _("Basis")), ("distance_km", _("Distance (km)"))],
    }.get(strategy, [])
    candidates = []
    for candidate in data.get("candidates") or []:
        values = []
        for key, _label in columns:
            value = candidate.get(key)
            if key == "basis":
                value = NEAREST_BASIS.get(value, value)
            elif isinstance(value, float):
                value = formats.number_format(value, 4 if key != "distance_km" else 1, use_l10n=True)
            values.append("—" if value is None else value)
        candidates.append(
            {
                "name": candidate.get("name") or names.get(candidate.get("partner"), candidate.get("partner")),
                "is_winner": candidate.get("partner") == assignment.partner_id,
                "values": values,
            }
        )
    excluded = [names.get(pk, gettext("partner #%(id)s") % {"id": pk}) for pk in data.get("excluded") or []]
    skipped = [
        item.get("name") or gettext("rule #%(id)s") % {"id": item.get("rule")}
        for item in data.get("rules_without_candidates") or []
    ]
    rule_name = data.get("rule_name") or (assignment.rule.name if assignment.rule else "")
    return {
        "assignment": assignment,
        "rule": rule_name,
        "strategy": AssignmentStrategy(strategy).label if strategy in AssignmentStrategy.values else strategy,
        "why": why,
        "candidates_count": data.get("candidates_count"),
        "columns": [label for _key, label in columns],
        "candidates": candidates,
        "excluded": excluded,
        "skipped": skipped,
        "is_current": assignment.ended_at is None,
        "outcome": AssignmentOutcome(assignment.outcome).label if assignment.outcome else "",
    }


# --- Leads ------------------------------------------------------------------------------------

_FIELDSETS = [
    (_("Contact"), {"fields": ("contact_name", "email", "phone")}),
    (
        _("Company"),
        {
            "fields": (
                "company",
                "company_size",
                "industry",
                "country",
                "region",
                "city",
                "latitude",
                "longitude",
                "product",
                "rating",
                "source",
                "notes",
            )
        },
    ),
]
_READ_FIELDSETS = [
    *_FIELDSETS,
    (
        _("Routing"),
        {"fields": ("status", "partner", "rule_used", "clock_display", "reassignments", "created_by", "created_at")},
    ),
    (
        _("Lifecycle"),
        {"fields": ("offered_at", "accepted_at", "contacted_at", "qualified_at", "closed_at", "lost_reason", "deal")},
    ),
]


@admin.register(Lead)
class LeadAdmin(ConfirmedActionsMixin, AuditTrailAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/leads/lead/change_form.html"
    change_list_template = "admin/leads/lead/change_list.html"
    form = LeadCreateForm
    list_display = (
        "company",
        "status",
        "partner",
        "rule_used",
        "clock_display",
        "rating",
        "country",
        "created_at",
    )
    list_display_links = ("company",)
    search_fields = ("company", "email", "contact_name")
    list_per_page = 50
    actions = ["assign_selected", "reassign_selected", "return_selected"]

    # --- Reading --------------------------------------------------------------------------------

    def get_queryset(self, request):
        leads = Lead.objects.visible_to(request.user).select_related("partner", "product", "rule", "created_by")
        return with_clocks(leads)

    def get_changelist(self, request, **kwargs):
        return LeadChangeList

    def get_list_filter(self, request):
        return ("status", PartnerInScopeFilter, RuleFilter, CountryFilter, SlaStateFilter, RatingFilter)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [*_FIELDSETS, (_("Routing"), {"fields": ("assign_now",)})]
        return _READ_FIELDSETS

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [field for _title, options in _READ_FIELDSETS for field in options["fields"]]

    def has_change_permission(self, request, obj=None):
        return False  # the routing and the lifecycle go through the services, never through field edits

    def has_delete_permission(self, request, obj=None):
        return False

    def has_assign_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and request.user.has_perm("leads.assign_lead")

    @admin.display(description=_("rule used"), ordering="rule__name")
    def rule_used(self, obj):
        strategy = getattr(obj, "current_strategy", None)
        if strategy == AssignmentStrategy.MANUAL:
            return gettext("assigned by hand")
        name = getattr(obj, "current_rule_name", None) or (obj.rule.name if obj.rule_id else "")
        if not name:
            return "—"
        if strategy in AssignmentStrategy.values:
            return f"{name} ({AssignmentStrategy(strategy).label})"
        return name

    @admin.display(description=_("clock"))
    def clock_display(self, obj):
        if not hasattr(obj, "clock"):
            attach_clocks([obj])
        return clock_badge(obj)

    # --- Creating -------------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        try:
            lead = services.lead_create(
                actor=request.user, assign=bool(form.cleaned_data.get("assign_now")), **form.lead_fields
            )
        except ServiceError as error:
            messages.error(request, error.message)
            raise PermissionDenied(str(error.message)) from error
        obj.pk = lead.pk
        for field in lead._meta.concrete_fields:
            setattr(obj, field.attname, getattr(lead, field.attname))

    def save_related(self, request, form, formsets, change):
        pass  # the service saved everything

    def response_add(self, request, obj, post_url_continue=None):
        if obj.status == LeadStatus.POOL and request.POST.get("assign_now"):
            self.message_user(
                request,
                gettext("No rule placed %(lead)s: it stays in the vendor pool and the channel managers are alerted.")
                % {"lead": obj.company},
                messages.WARNING,
            )
        return super().response_add(request, obj, post_url_continue)

    # --- The change page --------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        lead = self.get_object(request, unquote(object_id))
        if lead is not None:
            attach_clocks([lead])
            schedules = load_schedules(
                [getattr(lead, "acceptance_calendar_id", None), getattr(lead, "first_contact_calendar_id", None)]
            )
            now = timezone.now()
            clocks = []
            for prefix, name in CLOCK_NAMES.items():
                clock = clock_from_row(lead, prefix, schedules.get(getattr(lead, f"{prefix}_calendar_id")), now)
                if clock is not None:
                    clocks.append({"name": name, "clock": clock, "prefix": prefix})
            history = list(lead_assignments(request.user, lead))
            names = _partner_names(pk for assignment in history for pk in _referenced_partners(assignment.explanation))
            can_assign = self.has_assign_permission(request, lead)
            held = lead.status in (LeadStatus.OFFERED, *WORKING_STATUSES)
            extra_context.update(
                {
                    "lead": lead,
                    "clocks": clocks,
                    "explanations": [explain_assignment(assignment, names) for assignment in history],
                    "can_assign": can_assign,
                    "can_assign_by_rules": can_assign and lead.status == LeadStatus.POOL,
                    "can_reassign": can_assign and (held or lead.status == LeadStatus.POOL),
                    "can_return": can_assign and held,
                    "reassign_form": ReassignForm(user=request.user),
                    "return_form": ReturnForm(),
                    "assign_url": reverse("admin:leads_lead_assign", args=[lead.pk]),
                    "reassign_url": reverse("admin:leads_lead_reassign", args=[lead.pk]),
                    "return_url": reverse("admin:leads_lead_return", args=[lead.pk]),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Single actions (POST from the change page) ---------------------------------------------

    def get_urls(self):
        def route(suffix, view, name):
            return path(f"<path:object_id>/{suffix}/", self.admin_site.admin_view(view), name=f"leads_lead_{name}")

        return [
            route("assign", self.assign_view, "assign"),
            route("reassign", self.reassign_view, "reassign"),
            route("return", self.return_view, "return"),
            *super().get_urls(),
        ]

    # The confirmation page of the bulk actions (prm.admin_actions).
    confirmation_style = "admin/leads/_style.html"
    confirmation_class = "lead-routing"
    confirmation_related = ("partner",)

    def object_label(self, lead) -> str:
        return lead.company

    def confirmation_columns(self) -> list:
        return [_("Company"), _("Status"), _("Partner"), _("Country"), _("Rating")]

    def confirmation_cells(self, lead) -> list:
        partner = lead.partner.name if lead.partner else gettext("vendor pool")
        return [lead.company, lead.get_status_display(), partner, lead.country, lead.rating]

    def _single(self, request, object_id, form, act):
        return self.single_action(request, object_id, allowed=self.has_assign_permission(request), form=form, act=act)

    def _assign(self, request, lead, data):
        lead = services.lead_assign_by_rules(actor=request.user, lead=lead)
        return self._placed(lead)

    @staticmethod
    def _placed(lead):
        if lead.status == LeadStatus.POOL:
            return (
                gettext("No rule placed %(lead)s: it stays in the vendor pool and the channel managers are alerted.")
                % {"lead": lead.company},
                messages.WARNING,
            )
        return (
            gettext("%(lead)s is offered to %(partner)s.") % {"lead": lead.company, "partner": lead.partner.name},
            messages.SUCCESS,
        )

    def _reassign(self, request, lead, data):
        lead = services.lead_reassign(
            actor=request.user, lead=lead, partner=data.get("partner"), note=data.get("note", "")
        )
        if lead.status == LeadStatus.POOL:
            return (
                gettext("No other partner matches %(lead)s: it is back in the vendor pool.") % {"lead": lead.company},
                messages.WARNING,
            )
        lead = Lead.objects.select_related("partner").get(pk=lead.pk)
        return self._placed(lead)

    def _return(self, request, lead, data):
        lead = services.lead_return_to_pool(actor=request.user, lead=lead, reason=data["reason"])
        return gettext("%(lead)s is back in the vendor pool.") % {"lead": lead.company}, messages.SUCCESS

    def assign_view(self, request, object_id):
        return self._single(request, object_id, AssignForm, lambda lead, data: self._assign(request, lead, data))

    def reassign_view(self, request, object_id):
        def form(data):
            return ReassignForm(data, user=request.user)

        return self._single(request, object_id, form, lambda lead, data: self._reassign(request, lead, data))

    def return_view(self, request, object_id):
        return self._single(request, object_id, ReturnForm, lambda lead, data: self._return(request, lead, data))

    # --- Bulk actions (changelist actions with a confirmation form) --------------------------------

    @admin.action(description=_("Assign the selected leads by the rules now"), permissions=["assign"])
    def assign_selected(self, request, queryset):
        if "apply" in request.POST and sees_all_partners(request.user):
            return self._assign_batch(request, queryset)
        return self.bulk_action(
            request,
            queryset,
            action="assign_selected",
            form=AssignForm,
            act=lambda lead, data: self._assign(request, lead, data),
            title=_("Assign leads by the rules"),
            intro=_(
                "The assignment rules place each lead of the vendor pool below now; a lead no rule places stays "
                "in the pool and the channel managers are alerted."
            ),
            button=_("Assign by the rules"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d lead assigned.", "%(count)d of %(total)d leads assigned.", n
            ),
        )

    def _assign_batch(self, request, queryset):
        """Staff who see every partner place the pool leads in one routing run (``leads_assign_batch``)."""
        leads = list(queryset.order_by("pk"))
        pool = [lead.pk for lead in leads if lead.status == LeadStatus.POOL]
        for lead in leads:
            if lead.status != LeadStatus.POOL:
                self.message_user(
                    request,
                    f"{lead.company}: {gettext('Only a lead in the vendor pool can be assigned by the rules.')}",
                    messages.ERROR,
                )
        assigned = 0
        if pool:
            try:
                result = services.leads_assign_batch(actor=request.user, lead_ids=pool)
            except (ServiceError, PermissionDenied) as error:
                self.message_user(request, error_text(error), messages.ERROR)
            else:
                assigned = result.assigned
                placed = set(
                    LeadAssignment.objects.filter(pk__in=result.assignment_ids).values_list("lead_id", flat=True)
                )
                for lead in leads:
                    if lead.pk in pool and lead.pk not in placed:
                        self.message_user(
                            request,
                            gettext(
                                "No rule placed %(lead)s: it stays in the vendor pool and the channel managers are "
                                "alerted."
                            )
                            % {"lead": lead.company},
                            messages.WARNING,
                        )
        self.message_user(
            request,
            ngettext("%(count)d of %(total)d lead assigned.", "%(count)d of %(total)d leads assigned.", len(leads))
            % {"count": assigned, "total": len(leads)},
            messages.SUCCESS if assigned == len(leads) else messages.WARNING,
        )
        return None

    @admin.action(description=_("Reassign the selected leads"), permissions=["assign"])
    def reassign_selected(self, request, queryset):
        def form(data):
            return ReassignForm(data, user=request.user)

        return self.bulk_action(
            request,
            queryset,
            action="reassign_selected",
            form=form,
            act=lambda lead, data: self._reassign(request, lead, data),
            title=_("Reassign leads"),
            intro=_(
                "Each lead below is taken from its partner (its partner is told) and offered to the partner you "
                "choose, or to the rules' next choice."
            ),
            button=_("Reassign"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d lead reassigned.", "%(count)d of %(total)d leads reassigned.", n
            ),
        )

    @admin.action(description=_("Return the selected leads to the vendor pool"), permissions=["assign"])
    def return_selected(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="return_selected",
            form=ReturnForm,
            act=lambda lead, data: self._return(request, lead, data),
            title=_("Return leads to the vendor pool"),
            intro=_("Each lead below is taken from its partner (its partner is told) and returned to the vendor pool."),
            button=_("Return to the pool"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d lead returned to the pool.",
                "%(count)d of %(total)d leads returned to the pool.",
                n,
            ),
        )


# --- Assignment rules and settings ---------------------------------------------------------------


class _Codes(forms.CharField):
    """Comma-separated country codes, checked against the list."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ",".join(value)
        return [code.strip().upper() for code in (value or "").split(",") if code.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        unknown = [code for code in value if code not in COUNTRIES]
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)}, code="invalid"
            )


class _Texts(forms.CharField):
    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        return [" ".join(item.split()) for item in (value or "").split(",") if item.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


def _multiple(choices, label):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple)


class AssignmentRuleForm(forms.ModelForm):
    countries = _Codes(
        label=_("lead countries"), required=False, help_text=_("Country codes, separated by commas (BR, FR).")
    )
    regions = _Texts(label=_("lead regions or states"), required=False, help_text=_("Separated by commas."))
    industries = _multiple(Industry.choices, _("lead industries"))
    company_sizes = _multiple(CompanySize.choices, _("company sizes"))
    ratings = _multiple(LeadRating.choices, _("ratings"))
    partner_countries = _Codes(
        label=_("partner countries"), required=False, help_text=_("Country codes, separated by commas (BR, FR).")
    )
    partner_regions = _multiple(Region.choices, _("regions served by the partner"))

    class Meta:
        model = AssignmentRule
        fields = (
            "name",
            "order",
            "is_active",
            "strategy",
            "countries",
            "regions",
            "industries",
            "products",
            "company_sizes",
            "ratings",
            "min_tier_rank",
            "specialties",
            "partner_countries",
            "partner_regions",
        )


def _rule_summary(rule: AssignmentRule) -> str:
    parts = []
    if rule.countries:
        parts.append(", ".join(rule.countries))
    if rule.regions:
        parts.append(", ".join(rule.regions))
    if rule.industries:
        parts.append(", ".join(str(Industry(value).label) for value in rule.industries if value in Industry.values))
    if rule.company_sizes:
        parts.append(", ".join(rule.company_sizes))
    if rule.ratings:
        parts.append(", ".join(rule.ratings))
    return " · ".join(parts) or gettext("any lead")


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Ordered rules; the channel manager edits them, the other staff read them."""

    form = AssignmentRuleForm
    list_display = ("order", "name", "strategy", "is_active", "criteria", "min_tier_rank")
    list_display_links = ("name",)
    list_filter = ("is_active", "strategy")
    search_fields = ("name",)
    ordering = ("order", "pk")
    actions = None
    filter_horizontal = ("products", "specialties")
    fieldsets = [
        (None, {"fields": ("name", "order", "is_active", "strategy")}),
        (
            _("Which leads (empty: any)"),
            {"fields": ("countries", "regions", "industries", "products", "company_sizes", "ratings")},
        ),
        (
            _("Which partners (empty: any eligible partner)"),
            {"fields": ("min_tier_rank", "specialties", "partner_countries", "partner_regions")},
        ),
    ]

    @admin.display(description=_("criteria"))
    def criteria(self, obj):
        return _rule_summary(obj)

    def save_model(self, request, obj, form, change):
        services_config.assignment_rule_save(actor=request.user, rule=obj, changed=form.changed_data)

    def delete_model(self, request, obj):
        services_config.assignment_rule_delete(actor=request.user, rule=obj)


class LeadProgramSettingsForm(forms.ModelForm):
    class Meta:
        model = LeadProgramSettings
        fields = (
            "acceptance_days",
            "first_contact_days_a",
            "first_contact_days_b",
            "first_contact_days_c",
            "max_open_leads",
            "max_reassignments",
        )

    def clean(self):
        cleaned = super().clean()
        for name, message in services_config.settings_problems(cleaned).items():
            self.add_error(name, message)
        return cleaned


@admin.register(LeadProgramSettings)
class LeadProgramSettingsAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """The channel manager changes a program's lead distribution settings."""

    form = LeadProgramSettingsForm
    list_display = (
        "program",
        "acceptance_days",
        "first_contact_days_a",
        "first_contact_days_b",
        "first_contact_days_c",
        "max_open_leads",
        "max_reassignments",
    )
    list_select_related = ("program",)
    readonly_fields = ("program",)
    actions = None
    fieldsets = [
        (None, {"fields": ("program",)}),
        (_("Acceptance"), {"fields": ("acceptance_days", "max_reassignments", "max_open_leads")}),
        (_("First contact"), {"fields": ("first_contact_days_a", "first_contact_days_b", "first_contact_days_c")}),
    ]

    def has_add_permission(self, request):
        return False  # one row per program, made with the defaults on first use

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        for program in Program.objects.filter(lead_settings__isnull=True):
            services.program_settings(program)
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        changes = {name: [str(form.initial.get(name)), str(form.cleaned_data.get(name))] for name in form.changed_data}
        services_config.lead_settings_save(actor=request.user, settings=obj, changes=changes)


class PartnerLocationForm(forms.ModelForm):
    class Meta:
        model = PartnerLocation
        fields = ("partner", "latitude", "longitude", "region")

    def clean(self):
        cleaned = super().clean()
        for name, message in services_config.location_problems(cleaned).items():
            self.add_error(name, message)
        return cleaned


@admin.register(PartnerLocation)
class PartnerLocationAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Where a partner is, for the nearest strategy; the channel manager keeps it."""

    form = PartnerLocationForm
    list_display = ("partner", "latitude", "longitude", "region")
    list_select_related = ("partner",)
    search_fields = ("partner__name", "region")
    actions = None

    def get_queryset(self, request):
        return PartnerLocation.objects.visible_to(request.user).select_related("partner")

    def get_readonly_fields(self, request, obj=None):
        return ("partner",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner":
            kwargs["queryset"] = Partner.objects.visible_to(request.user).filter(lead_location__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # clear the coordinates instead

    def save_model(self, request, obj, form, change):
        services_config.partner_location_save(actor=request.user, location=obj, changed=form.changed_data)
