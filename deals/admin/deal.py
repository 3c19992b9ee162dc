"""The deal admin: channel managers and CAMs decide on registrations, one by one on the change page or
in bulk from the changelist with a confirmation form."""

from __future__ import annotations

import logging

from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from prm.admin_actions import ConfirmedActionsMixin, error_text
from prm.admin_filters import CamFilter, PartnerInScopeFilter
from prm.audit.admin import AuditTrailAdminMixin
from prm.sla.display import clock_badge

from .. import services
from ..models import OPEN_STATUSES, Deal, DealStatus
from ..selectors import deal_conflict_facts, deal_conflicts, deals_visible_to
from .filters import (
    SecondApprovalFilter,
    SlaState,
    SlaStateFilter,
    StatusFilter,
    _decision_deadlines,
    with_cams,
    with_decision_clock,
)
from .forms import ApproveForm, ExtensionForm, RejectForm, RequestInfoForm

logger = logging.getLogger(__name__)


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
    # Fits a 1366 px laptop beside the sidebar and the filters: the partner under the customer, the
    # conflict and the second approval under the status.
    list_display = ("registration", "status_column", "sla_badge", "cam_list", "amount_display", "submitted_at")
    list_display_links = ("registration",)
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

    @admin.display(description=_("registration"), ordering="customer_company")
    def registration(self, obj):
        return format_html('{}<span class="cell-sub">{}</span>', obj.customer_company, obj.partner.name)

    @admin.display(description=_("status"), ordering="status")
    def status_column(self, obj):
        notes = []
        if obj.awaiting_second_approval:
            notes.append(gettext("second approval pending"))
        if obj.conflict_flag:
            notes.append(gettext("conflict to review"))
        if not notes:
            return obj.get_status_display()
        return format_html(
            '{}<span class="cell-sub">{}</span>', obj.get_status_display(), " · ".join(str(note) for note in notes)
        )

    @admin.display(description=_("CAM"))
    def cam_list(self, obj):
        return ", ".join(getattr(obj, "cam_emails", None) or []) or "—"

    @admin.display(description=_("estimated amount"), ordering="amount")
    def amount_display(self, obj):
        return f"{formats.number_format(obj.amount, 2, use_l10n=True, force_grouping=True)} {obj.currency}"

    # --- The change page --------------------------------------------------------------------------

    def change_page_context(self, request, deal) -> dict:
        can_decide = self.has_approve_permission(request, deal)
        return {
            "deal": deal,
            "sla_state": getattr(deal, "sla_state", SlaState.NONE),
            "sla_state_label": SlaState(getattr(deal, "sla_state", SlaState.NONE)).label,
            "sla_due_at": getattr(deal, "sla_due_at", None),
            "decision_clock": _decision_deadlines().filter(object_id=deal.pk).order_by("-started_at", "-pk").first(),
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

    def button_views(self) -> dict:
        return {
            "approve": self.approve_view,
            "reject": self.reject_view,
            "request-info": self.request_info_view,
            "extension": self.extension_view,
        }

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
