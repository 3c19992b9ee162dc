"""Deal registration in the admin: channel managers and CAMs decide on registrations against the SLA clock.

The admin only reads (through the scoped queryset and the selectors) and calls the services of
``deals.services`` (the catalogue's in ``deals.services.catalogue``); no rule of the workflow lives here.

- Deals: no add, no edit, no delete. Decisions are buttons on the change page (custom URLs
  ``admin:deals_deal_approve``, ``..._reject``, ``..._request_info``, ``..._extension``, POST only)
  and changelist actions with a confirmation form. A refusal of the service (``ServiceError`` or
  ``PermissionDenied``) becomes an error message for that deal; a deal that changed since the page
  was shown (a double click, two approvers) says so and nothing changes, because the service locks
  the row and checks the transition.
- The SLA badge of the decision clock comes from one correlated sub-query per column, the
  partner's CAMs from an array sub-query: the changelist's query count does not grow with rows.
"""

from __future__ import annotations

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import OuterRef, Q, TextChoices
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from prm.admin_actions import ConfirmedActionsMixin, error_text
from prm.admin_filters import CamFilter, PartnerInScopeFilter
from prm.audit.admin import AuditTrailAdminMixin
from prm.countries import COUNTRIES
from prm.errors import ServiceError
from prm.sla.display import ClockStateFilter, clock_badge, with_clock
from prm.sla.models import Deadline
from prm.tenancy import cam_grants

from . import services
from .models import OPEN_STATUSES, Deal, DealProgramSettings, DealStatus, HouseAccount, Product
from .selectors import deal_conflict_facts, deal_conflicts, deals_visible_to
from .services import catalogue

logger = logging.getLogger(__name__)


# --- The decision clock -----------------------------------------------------------------------


class SlaState(TextChoices):
    """What the changelist shows of a deal's decision clock."""

    ON_TIME = "on_time", _("on time")
    DUE_SOON = "due_soon", _("due soon")
    BREACHED = "breached", _("breached")
    PAUSED = "paused", _("paused")
    MET = "met", _("decided in time")
    NONE = "none", _("no clock")


def _decision_deadlines():
    # Joined by app label and model name, so no ContentType query runs whatever the cache holds.
    return Deadline.objects.filter(
        content_type__app_label=Deal._meta.app_label,
        content_type__model=Deal._meta.model_name,
        kind=services.DECISION_KIND,
    )


def with_decision_clock(queryset, *, now=None):
    """Deals annotated with ``sla_state`` (a SlaState value) and ``sla_due_at`` of their latest decision clock."""
    return with_clock(queryset, kind=services.DECISION_KIND, state_as="sla_state", due_as="sla_due_at", now=now)


def with_cams(queryset):
    """Deals annotated with ``cam_emails``: the active CAMs of the deal's partner, one array sub-query."""
    cams = (
        cam_grants()
        .filter(content_object_id=OuterRef("partner_id"), user__is_active=True)
        .order_by("user__email")
        .values("user__email")
    )
    return queryset.annotate(cam_emails=ArraySubquery(cams))


# --- Filters ----------------------------------------------------------------------------------


class StatusFilter(admin.SimpleListFilter):
    """The statuses staff meet: no "draft", since a draft is the partner's until it is submitted.
    The parameter keeps the name of the field filter it replaces."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return [(value, label) for value, label in DealStatus.choices if value != DealStatus.DRAFT]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(status=value) if value in DealStatus.values else queryset.none()


class SlaStateFilter(ClockStateFilter):
    """Deals by the state of their decision clock (``sla_state`` of ``with_decision_clock``), as the badge shows it."""

    title = _("decision clock")
    states = SlaState.choices


class SecondApprovalFilter(admin.SimpleListFilter):
    title = _("second approval pending")
    parameter_name = "second"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        pending = Q(status__in=OPEN_STATUSES, first_approver__isnull=False)
        if self.value() == "yes":
            return queryset.filter(pending)
        if self.value() == "no":
            return queryset.exclude(pending)
        return queryset


# --- Decision forms (the single buttons and the bulk confirmations share them) ------------------

_REJECT_CONFLICTING_HELP = _(
    "Registrations of the same customer that are still open are rejected with the reason “conflict” in the same step."
)


class ApproveForm(forms.Form):
    reject_conflicting = forms.BooleanField(
        label=_("Also reject the conflicting open registrations"), required=False, help_text=_REJECT_CONFLICTING_HELP
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the partner)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    reject_conflicting = forms.BooleanField(
        label=_("Also reject the conflicting open registrations"), required=False, help_text=_REJECT_CONFLICTING_HELP
    )


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the partner"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ExtensionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the extension")), ("reject", _("Refuse the extension"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Note (optional)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )


def _version(deal) -> str:
    """What the page showed: a deal saved since then (by anyone) has another version."""
    return deal.updated_at.isoformat() if deal.updated_at else ""


def _open_conflicting_ids(deal) -> list[int]:
    return [
        match.target.pk
        for match in deal_conflicts(deal)
        if not match.is_house_account and match.target.status in OPEN_STATUSES
    ]


# --- Deals ------------------------------------------------------------------------------------


@admin.register(Deal)
class DealAdmin(ConfirmedActionsMixin, AuditTrailAdminMixin, admin.ModelAdmin):
    change_form_template = "admin/deals/deal/change_form.html"
    change_list_template = "admin/deals/deal/change_list.html"
    list_display = (
        "customer_company",
        "partner",
        "status",
        "sla_badge",
        "conflict_flag",
        "cam_list",
        "amount_display",
        "submitted_at",
    )
    list_display_links = ("customer_company",)
    list_select_related = ("partner",)
    search_fields = ("customer_company", "customer_email")
    list_per_page = 50
    actions = ["approve_selected", "reject_selected", "request_info_selected", "decide_extension_selected"]
    fieldsets = [
        (
            _("Customer"),
            {
                "fields": (
                    "customer_company",
                    "customer_email",
                    "customer_tax_id",
                    "customer_country",
                    "products",
                    "amount_display",
                    "expected_close_date",
                    "notes",
                )
            },
        ),
        (
            _("Registration"),
            {
                "fields": (
                    "partner",
                    "cam_list",
                    "created_by",
                    "status",
                    "stage",
                    "submitted_at",
                    "sla_badge",
                    "conflict_flag",
                    "conflict_check_failed",
                )
            },
        ),
        (
            _("Decision"),
            {
                "fields": (
                    "first_approver",
                    "first_approved_at",
                    "second_approver",
                    "approved_at",
                    "protected_until",
                    "decision_reason",
                )
            },
        ),
        (_("Information request"), {"fields": ("info_question", "info_answer")}),
        (_("Extension"), {"fields": ("extensions_used", "extension_requested_at", "extension_reason")}),
        (_("Closing"), {"fields": ("final_amount", "closed_on", "closed_at")}),
    ]

    # --- Reading --------------------------------------------------------------------------------

    def get_queryset(self, request):
        # The scoped selector: a CAM's partners, or all for the channel manager, never a partner's draft.
        return with_cams(with_decision_clock(deals_visible_to(request.user)))

    def get_list_filter(self, request):
        return (
            StatusFilter,
            SlaStateFilter,
            "conflict_flag",
            PartnerInScopeFilter,
            CamFilter,
            "currency",
            SecondApprovalFilter,
        )

    def get_readonly_fields(self, request, obj=None):
        return [field for _title, options in self.fieldsets for field in options["fields"]]

    def has_add_permission(self, request):
        return False  # partners register deals

    def has_change_permission(self, request, obj=None):
        return False  # decisions go through the services, never through field edits

    def has_delete_permission(self, request, obj=None):
        return False

    def has_approve_permission(self, request, obj=None):
        return self.has_view_permission(request, obj) and request.user.has_perm("deals.approve_deal")

    @admin.display(description=_("decision clock"), ordering="sla_due_at")
    def sla_badge(self, obj):
        state = getattr(obj, "sla_state", SlaState.NONE)
        state = state if state in SlaState.values else SlaState.NONE
        return clock_badge(state, SlaState(state).label, getattr(obj, "sla_due_at", None))

    @admin.display(description=_("CAM"))
    def cam_list(self, obj):
        return ", ".join(getattr(obj, "cam_emails", None) or []) or "—"

    @admin.display(description=_("estimated amount"), ordering="amount")
    def amount_display(self, obj):
        return f"{formats.number_format(obj.amount, 2, use_l10n=True, force_grouping=True)} {obj.currency}"

    # --- The change page --------------------------------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        deal = self.get_object(request, unquote(object_id))
        if deal is not None:
            can_decide = self.has_approve_permission(request, deal)
            extra_context.update(
                {
                    "deal": deal,
                    "sla_state": getattr(deal, "sla_state", SlaState.NONE),
                    "sla_state_label": SlaState(getattr(deal, "sla_state", SlaState.NONE)).label,
                    "sla_due_at": getattr(deal, "sla_due_at", None),
                    "decision_clock": _decision_deadlines()
                    .filter(object_id=deal.pk)
                    .order_by("-started_at", "-pk")
                    .first(),
                    "conflicts": self._conflict_panel(request, deal),
                    "can_decide": can_decide,
                    "is_open": deal.status in OPEN_STATUSES,
                    "can_approve": can_decide and deal.status == DealStatus.SUBMITTED,
                    "can_reject": can_decide and deal.status in OPEN_STATUSES,
                    "can_request_info": can_decide and deal.status == DealStatus.SUBMITTED,
                    "can_decide_extension": can_decide and deal.extension_requested_at is not None,
                    "awaiting_second_approval": deal.awaiting_second_approval,
                    "version": _version(deal),
                    "approve_form": ApproveForm(),
                    "reject_form": RejectForm(),
                    "request_info_form": RequestInfoForm(),
                    "extension_form": ExtensionForm(),
                    "approve_url": reverse("admin:deals_deal_approve", args=[deal.pk]),
                    "reject_url": reverse("admin:deals_deal_reject", args=[deal.pk]),
                    "request_info_url": reverse("admin:deals_deal_request_info", args=[deal.pk]),
                    "extension_url": reverse("admin:deals_deal_extension", args=[deal.pk]),
                }
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def _conflict_panel(self, request, deal) -> dict:
        """The comparisons of ``deals.selectors.deal_conflict_facts``: the facts of every competing
        registration for the staff who decide (its list of fields says what shows and what never does)."""
        try:
            with transaction.atomic():
                matches = deal_conflict_facts(request.user, deal) or []
        except Exception:
            logger.exception("Conflict check of deal %s failed in the admin.", deal.pk)
            return {"failed_now": True, "matches": []}
        return {"failed_now": False, "matches": matches}

    # --- Single decisions (POST from the change page) ----------------------------------------------

    def get_urls(self):
        def route(suffix, view, name):
            return path(f"<path:object_id>/{suffix}/", self.admin_site.admin_view(view), name=f"deals_deal_{name}")

        return [
            route("approve", self.approve_view, "approve"),
            route("reject", self.reject_view, "reject"),
            route("request-info", self.request_info_view, "request_info"),
            route("extension", self.extension_view, "extension"),
            *super().get_urls(),
        ]

    # The confirmation page of the bulk decisions (prm.admin_actions).
    confirmation_style = "admin/deals/deal/_sla_style.html"
    confirmation_class = "deal-decision"
    confirmation_related = ("partner",)

    def object_label(self, deal) -> str:
        return deal.customer_company

    def confirmation_columns(self) -> list:
        return [_("Customer"), _("Partner"), _("Status"), _("Estimated amount"), _("Conflict review")]

    def confirmation_cells(self, deal) -> list:
        status = deal.get_status_display()
        if deal.awaiting_second_approval:
            status = f"{status} · {gettext('awaiting the second approval')}"
        return [
            deal.customer_company,
            deal.partner.name,
            status,
            self.amount_display(deal),
            gettext("yes") if deal.conflict_flag else gettext("no"),
        ]

    def version_of(self, deal) -> str:
        return _version(deal)

    def refusal_text(self, deal, error, seen: str | None) -> str:
        """A deal decided or changed since the page was shown (another approver, a second click) says so."""
        now = Deal.objects.filter(pk=deal.pk).only("status", "updated_at").first()
        if now is not None and seen is not None and _version(now) != seen:
            return gettext(
                "%(deal)s was changed after you opened it (it is now %(status)s: another approver, or a "
                "second click); your action changed nothing. %(error)s"
            ) % {"deal": deal.customer_company, "status": now.get_status_display(), "error": error_text(error)}
        return super().refusal_text(deal, error, seen)

    def _single(self, request, object_id, form_class, act):
        return self.single_action(
            request, object_id, allowed=self.has_approve_permission(request), form=form_class, act=act
        )

    def _approve(self, request, deal, data) -> str:
        conflicting = _open_conflicting_ids(deal) if data.get("reject_conflicting") else []
        deal = services.deal_approve(
            actor=request.user, deal=deal, reject_conflicting=bool(data.get("reject_conflicting"))
        )
        if deal.status != DealStatus.APPROVED:
            return gettext(
                "First approval of %(deal)s recorded: it is above the program's limit, so a channel manager "
                "must give the second approval."
            ) % {"deal": deal.customer_company}
        text = gettext("%(deal)s is approved: its customer is protected until %(until)s.") % {
            "deal": deal.customer_company,
            "until": formats.date_format(timezone.localtime(deal.protected_until), "DATE_FORMAT"),
        }
        return text + self._rejected_note(conflicting)

    def _reject(self, request, deal, data) -> str:
        conflicting = _open_conflicting_ids(deal) if data.get("reject_conflicting") else []
        deal = services.deal_reject(
            actor=request.user,
            deal=deal,
            reason=data["reason"],
            reject_conflicting=bool(data.get("reject_conflicting")),
        )
        text = gettext("%(deal)s is rejected; the partner receives the reason.") % {"deal": deal.customer_company}
        return text + self._rejected_note(conflicting)

    @staticmethod
    def _rejected_note(conflicting: list[int]) -> str:
        if not conflicting:
            return ""
        count = Deal.objects.filter(pk__in=conflicting, status=DealStatus.REJECTED, decision_reason="conflict").count()
        return " " + ngettext(
            "%(count)d conflicting registration was rejected (reason: conflict).",
            "%(count)d conflicting registrations were rejected (reason: conflict).",
            count,
        ) % {"count": count}

    def _request_info(self, request, deal, data) -> str:
        deal = services.deal_request_info(actor=request.user, deal=deal, question=data["question"])
        return gettext(
            "The question on %(deal)s was sent to the partner; the decision clock is paused until they answer."
        ) % {"deal": deal.customer_company}

    def _decide_extension(self, request, deal, data) -> str:
        approve = data["decision"] == "approve"
        deal = services.deal_extension_decide(
            actor=request.user, deal=deal, approve=approve, reason=data.get("reason", "")
        )
        if approve:
            return gettext("The protection of %(deal)s is extended until %(until)s.") % {
                "deal": deal.customer_company,
                "until": formats.date_format(timezone.localtime(deal.protected_until), "DATE_FORMAT"),
            }
        return gettext("The extension request of %(deal)s is refused.") % {"deal": deal.customer_company}

    def approve_view(self, request, object_id):
        return self._single(request, object_id, ApproveForm, lambda deal, data: self._approve(request, deal, data))

    def reject_view(self, request, object_id):
        return self._single(request, object_id, RejectForm, lambda deal, data: self._reject(request, deal, data))

    def request_info_view(self, request, object_id):
        return self._single(
            request, object_id, RequestInfoForm, lambda deal, data: self._request_info(request, deal, data)
        )

    def extension_view(self, request, object_id):
        return self._single(
            request, object_id, ExtensionForm, lambda deal, data: self._decide_extension(request, deal, data)
        )

    # --- Bulk decisions (changelist actions with a confirmation form) -------------------------------

    @admin.action(description=_("Approve the selected registrations"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="approve_selected",
            form=ApproveForm,
            act=lambda deal, data: self._approve(request, deal, data),
            title=_("Approve deal registrations"),
            intro=_(
                "Each registration below is approved (or receives its first approval when it is above the "
                "program's limit for a second approval). Its partner is told."
            ),
            button=_("Approve"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d registration approved.", "%(count)d of %(total)d registrations approved.", n
            ),
        )

    @admin.action(description=_("Reject the selected registrations"), permissions=["approve"])
    def reject_selected(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="reject_selected",
            form=RejectForm,
            act=lambda deal, data: self._reject(request, deal, data),
            title=_("Reject deal registrations"),
            intro=_("Each registration below is rejected; its partner receives the reason."),
            button=_("Reject"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d registration rejected.", "%(count)d of %(total)d registrations rejected.", n
            ),
        )

    @admin.action(description=_("Ask the partners for more information"), permissions=["approve"])
    def request_info_selected(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="request_info_selected",
            form=RequestInfoForm,
            act=lambda deal, data: self._request_info(request, deal, data),
            title=_("Request more information"),
            intro=_(
                "The question goes to the partner of each registration below; the decision clock is paused "
                "until they answer."
            ),
            button=_("Send the question"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d question sent.", "%(count)d of %(total)d questions sent.", n
            ),
        )

    @admin.action(description=_("Decide on the requested extensions"), permissions=["approve"])
    def decide_extension_selected(self, request, queryset):
        return self.bulk_action(
            request,
            queryset,
            action="decide_extension_selected",
            form=ExtensionForm,
            act=lambda deal, data: self._decide_extension(request, deal, data),
            title=_("Decide on protection extensions"),
            intro=_("The extension requested on each registration below is approved or refused; the partner is told."),
            button=_("Decide"),
            done=lambda n: ngettext(
                "%(count)d of %(total)d extension request decided.",
                "%(count)d of %(total)d extension requests decided.",
                n,
            ),
        )


# --- Catalogue: products, house accounts, program settings ---------------------------------------


class _ServiceValidatedForm(forms.ModelForm):
    """A model form whose clean() runs the service's validator, so refusals show beside the fields."""

    validator = None
    validated_fields: tuple[str, ...] = ()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            type(self).validator(**{name: cleaned.get(name) for name in self.validated_fields})
        except ServiceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


class _ServiceSavedAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Saves through services: a refusal that slipped past the form is a message and a 403, never a 500."""

    def _saved(self, request, obj, save):
        try:
            saved = save()
        except ServiceError as error:
            messages.error(request, error.message)
            raise PermissionDenied(str(error.message)) from error
        obj.pk = saved.pk
        for field in saved._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


class ProductForm(_ServiceValidatedForm):
    validator = staticmethod(catalogue.product_validate)
    validated_fields = catalogue.PRODUCT_FIELDS

    class Meta:
        model = Product
        fields = catalogue.PRODUCT_FIELDS


@admin.register(Product)
class ProductAdmin(_ServiceSavedAdmin):
    form = ProductForm
    list_display = ("name_en", "name_pt_br", "name_fr", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_pt_br", "name_fr")
    actions = None

    def has_delete_permission(self, request, obj=None):
        return False  # deals refer to products: deactivate one instead

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in ProductForm.validated_fields}
        if change:
            self._saved(request, obj, lambda: catalogue.product_update(actor=request.user, product=obj, **data))
        else:
            self._saved(request, obj, lambda: catalogue.product_create(actor=request.user, **data))


class HouseAccountForm(_ServiceValidatedForm):
    validator = staticmethod(catalogue.house_account_validate)
    validated_fields = catalogue.HOUSE_ACCOUNT_FIELDS
    country = forms.ChoiceField(label=_("country"), choices=())

    class Meta:
        model = HouseAccount
        fields = catalogue.HOUSE_ACCOUNT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(((code, f"{name} ({code})") for code, name in COUNTRIES.items()), key=lambda c: str(c[1]))
        self.fields["country"].choices = [("", "---------"), *choices]


@admin.register(HouseAccount)
class HouseAccountAdmin(_ServiceSavedAdmin):
    form = HouseAccountForm
    list_display = ("company_name", "country", "email_domain", "tax_id", "created_at")
    list_filter = ("country",)
    search_fields = ("company_name", "email_domain", "tax_id")
    readonly_fields = ("name_normalized", "tax_id_normalized", "created_at")
    fieldsets = [
        (None, {"fields": ("company_name", "country", "email_domain", "tax_id")}),
        (_("As compared with registrations"), {"fields": ("name_normalized", "tax_id_normalized", "created_at")}),
    ]

    def get_fieldsets(self, request, obj=None):
        return self.fieldsets if obj is not None else self.fieldsets[:1]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in HouseAccountForm.validated_fields}
        if change:
            self._saved(
                request,
                obj,
                lambda: catalogue.house_account_update(actor=request.user, account=obj, **data),
            )
        else:
            self._saved(request, obj, lambda: catalogue.house_account_create(actor=request.user, **data))

    def delete_model(self, request, obj):
        catalogue.house_account_delete(actor=request.user, account=obj)

    def delete_queryset(self, request, queryset):
        for account in queryset:
            catalogue.house_account_delete(actor=request.user, account=account)


class DealProgramSettingsForm(_ServiceValidatedForm):
    validator = staticmethod(catalogue.deal_program_settings_validate)
    validated_fields = catalogue.SETTINGS_FIELDS

    class Meta:
        model = DealProgramSettings
        fields = catalogue.SETTINGS_FIELDS


@admin.register(DealProgramSettings)
class DealProgramSettingsAdmin(_ServiceSavedAdmin):
    """The channel manager changes a program's rules; CAMs and executives read them."""

    form = DealProgramSettingsForm
    list_display = (
        "program",
        "decision_days",
        "protection_days",
        "extension_days",
        "max_extensions",
        "second_approval_amount",
        "conflict_threshold",
        "auto_approve_on_breach",
    )
    list_select_related = ("program",)
    readonly_fields = ("program",)
    actions = None
    fieldsets = [
        (None, {"fields": ("program",)}),
        (_("Decision"), {"fields": ("decision_days", "second_approval_amount", "auto_approve_on_breach")}),
        (_("Protection"), {"fields": ("protection_days", "extension_days", "max_extensions")}),
        (_("Conflicts"), {"fields": ("conflict_threshold",)}),
    ]

    def has_add_permission(self, request):
        return False  # one row per program, made with the program

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in DealProgramSettingsForm.validated_fields}
        self._saved(
            request,
            obj,
            lambda: catalogue.deal_program_settings_update(actor=request.user, settings=obj, **data),
        )
