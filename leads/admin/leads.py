"""The leads in the admin: the changelist with its clocks and filters, the add form, the change page
with its clocks and "why this partner?", and the routing actions (single and bulk)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from partners.models import Partner
from prm.admin_actions import ConfirmedActionsMixin, error_text
from prm.admin_filters import PartnerInScopeFilter
from prm.audit.admin import AuditTrailAdminMixin
from prm.countries import country_name
from prm.errors import ServiceError
from prm.sla.display import clock_of
from prm.tenancy import sees_all_partners

from .. import services
from ..models import WORKING_STATUSES, AssignmentStrategy, Lead, LeadAssignment, LeadStatus
from ..selectors import lead_assignments
from .clocks import CLOCK_NAMES, LeadChangeList, attach_clocks, clock_badge, load_schedules, with_clocks
from .explanation import explain_assignment
from .filters import CountryFilter, RatingFilter, RuleFilter, SlaStateFilter
from .forms import AssignForm, LeadCreateForm, ReassignForm, ReturnForm

# --- The partners an explanation names -----------------------------------------------------------


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


# --- Leads ------------------------------------------------------------------------------------

# The fields of the intake (services.LEAD_FIELDS): the contact, then the company and the rest.
_CONTACT_FIELDS = ("contact_name", "email", "phone")
_FIELDSETS = [
    (_("Contact"), {"fields": _CONTACT_FIELDS}),
    (_("Company"), {"fields": tuple(name for name in services.LEAD_FIELDS if name not in _CONTACT_FIELDS)}),
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
    # Fits a 1366 px laptop beside the sidebar and the filters: the country and rating under the
    # company, the rule under the partner that holds the lead.
    list_display = ("lead_column", "status", "holder", "clock_display", "created_at")
    list_display_links = ("lead_column",)
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

    @admin.display(description=_("lead"), ordering="company")
    def lead_column(self, obj):
        facts = [f"{country_name(obj.country)} ({obj.country})" if obj.country else "", obj.get_rating_display()]
        return format_html(
            '{}<span class="cell-sub">{}</span>', obj.company, " · ".join(fact for fact in facts if fact)
        )

    @admin.display(description=_("partner"), ordering="partner__name")
    def holder(self, obj):
        if not obj.partner_id:
            return gettext("vendor pool")
        return format_html('{}<span class="cell-sub">{}</span>', obj.partner.name, self.rule_used(obj))

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

    def change_page_context(self, request, lead) -> dict:
        attach_clocks([lead])
        schedules = load_schedules(
            [clock.calendar_id for clock in (lead.acceptance_clock, lead.first_contact_clock) if clock is not None]
        )
        now = timezone.now()
        clocks = []
        for prefix, name in CLOCK_NAMES.items():
            deadline = getattr(lead, f"{prefix}_clock")
            clock = clock_of(deadline, schedules.get(deadline.calendar_id) if deadline else None, now)
            if clock is not None:
                clocks.append({"name": name, "clock": clock, "prefix": prefix})
        history = list(lead_assignments(request.user, lead))
        names = _partner_names(pk for assignment in history for pk in _referenced_partners(assignment.explanation))
        can_assign = self.has_assign_permission(request, lead)
        held = lead.status in (LeadStatus.OFFERED, *WORKING_STATUSES)
        return {
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

    # --- Single actions (POST from the change page) ---------------------------------------------

    def button_views(self) -> dict:
        return {"assign": self.assign_view, "reassign": self.reassign_view, "return": self.return_view}

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
