"""Recruitment in the admin: the review of applications, and what channel staff configure for it."""

import csv

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from prm.admin import ReadOnlyModelAdmin, country_column
from prm.audit.admin import AuditTrailAdminMixin
from prm.countries import country_name
from prm.errors import ServiceError
from prm.sla.display import NO_CLOCK, ClockState, clock_badge, with_clock

from ..models import (
    Application,
    ApplicationStatus,
    CamTerritory,
    CriteriaItem,
    IcpQuestion,
    Industry,
    ProgramPage,
    Region,
    Specialty,
)
from ..recruitment import REVIEW_KIND
from ..recruitment.duplicates import application_duplicates
from ..recruitment.selectors import (
    application_answers,
    application_checklist,
    cam_choices,
    cam_for_country,
    review_deadline,
)
from ..recruitment.services import application_approve, application_check_set, application_reject
from ..services import configuration_delete, configuration_save
from ._common import _csv_cell

# The review clock as the queue shows it: a badge per application, and a filter by its state.
REVIEW_CLOCK_LABELS = {**ClockState.LABELS, NO_CLOCK: _("no clock")}


def _review_clock_label(state) -> str:
    return str(REVIEW_CLOCK_LABELS.get(state, REVIEW_CLOCK_LABELS[NO_CLOCK]))


class ReviewClockFilter(admin.SimpleListFilter):
    title = _("review clock")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return list(REVIEW_CLOCK_LABELS.items())

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if value not in REVIEW_CLOCK_LABELS:
            return queryset.none()
        return queryset.filter(review_state_value=value)


@admin.register(Application)
class ApplicationAdmin(AuditTrailAdminMixin, ReadOnlyModelAdmin):
    change_form_template = "admin/partners/application/change_form.html"
    change_list_template = "admin/partners/application/change_list.html"
    list_display = ("company_name", "country_display", "status", "created_at", "review_clock")
    list_filter = ("status", "country", ReviewClockFilter)
    search_fields = ("company_name", "email_domain", "contact_name", "contact_email", "tax_id")
    date_hierarchy = "created_at"
    actions = ["export_csv"]
    fieldsets = [
        (
            _("Company"),
            {
                "fields": (
                    "company_name",
                    "website",
                    "email_domain",
                    "country_display",
                    "regions_display",
                    "industries_display",
                    "specialties",
                    "company_size",
                    "tax_id",
                )
            },
        ),
        (_("Contact"), {"fields": ("contact_name", "contact_email", "contact_phone", "language")}),
        (
            _("Review"),
            {
                "fields": (
                    "status",
                    "created_at",
                    "terms_version",
                    "reviewed_by",
                    "reviewed_at",
                    "decision_reason",
                    "partner",
                )
            },
        ),
    ]

    def get_queryset(self, request):
        return with_clock(
            super().get_queryset(request), kind=REVIEW_KIND, state_as="review_state_value", due_as="review_due_value"
        )

    def get_readonly_fields(self, request, obj=None):
        return [field for fieldset in self.fieldsets for field in fieldset[1]["fields"]]

    @admin.display(description=_("country"), ordering="country")
    def country_display(self, obj):
        return f"{country_name(obj.country)} ({obj.country})"

    @admin.display(description=_("regions served"))
    def regions_display(self, obj):
        return ", ".join(str(Region(code).label) if code in Region.values else code for code in obj.regions)

    @admin.display(description=_("industries"))
    def industries_display(self, obj):
        return ", ".join(str(Industry(code).label) if code in Industry.values else code for code in obj.industries)

    @admin.display(description=_("review clock"), ordering="review_due_value")
    def review_clock(self, obj):
        state = getattr(obj, "review_state_value", NO_CLOCK)
        state = state if state in REVIEW_CLOCK_LABELS else NO_CLOCK
        return clock_badge(state, _review_clock_label(state), getattr(obj, "review_due_value", None))

    @admin.action(description=_("Export the selected applications (CSV)"), permissions=["view"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="applications-{timezone.now():%Y%m%d-%H%M}.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                gettext("id"),
                gettext("submitted at"),
                gettext("status"),
                gettext("company name"),
                gettext("country"),
                gettext("company email domain"),
                gettext("website"),
                gettext("tax ID"),
                gettext("contact name"),
                gettext("contact email"),
                gettext("contact phone"),
                gettext("review clock"),
                gettext("review due"),
                gettext("country code"),
            ]
        )
        for application in queryset.order_by("-created_at", "-pk"):
            writer.writerow(
                [
                    _csv_cell(cell)
                    for cell in (
                        application.pk,
                        application.created_at.isoformat(),
                        application.get_status_display(),
                        application.company_name,
                        country_name(application.country),
                        application.email_domain,
                        application.website,
                        application.tax_id,
                        application.contact_name,
                        application.contact_email,
                        application.contact_phone,
                        _review_clock_label(application.review_state_value),
                        application.review_due_value.isoformat() if application.review_due_value else "",
                        application.country,
                    )
                ]
            )
        return response

    # --- The review -------------------------------------------------------------------------

    def get_urls(self):
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name="partners_application_review",
        )
        return [review, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        application = self.get_object(request, object_id)
        if application is not None:
            can_review = request.user.has_perm("partners.review_application")
            is_open = application.status == ApplicationStatus.SUBMITTED
            extra_context.update(
                {
                    "answers": application_answers(application),
                    "duplicates": application_duplicates(application),
                    "checklist": application_checklist(application),
                    "review_deadline": review_deadline(application),
                    "country_label": country_name(application.country),
                    "can_review": can_review,
                    "is_open": is_open,
                    "review_url": reverse("admin:partners_application_review", args=[application.pk]),
                }
            )
            if can_review and is_open:
                extra_context["cams"] = list(cam_choices())
                extra_context["suggested_cam"] = cam_for_country(application.country)
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id):
        """The reviewer's buttons: tick or untick a criterion, approve, reject. POST only."""
        if not (self.has_view_permission(request) and request.user.has_perm("partners.review_application")):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        application = self.get_object(request, object_id)
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        change_url = reverse("admin:partners_application_change", args=[application.pk])
        action = request.POST.get("action", "")
        try:
            if action in ("tick", "untick"):
                item = CriteriaItem.objects.filter(
                    pk=_int(request.POST.get("item")), program_id=application.program_id
                ).first()
                if item is None:
                    raise ServiceError(_("This criterion is not part of the program's checklist."))
                application_check_set(actor=request.user, application=application, item=item, checked=action == "tick")
                messages.success(request, _("The checklist is saved."))
            elif action == "approve":
                cam = None
                if request.POST.get("cam"):
                    cam = next((user for user in cam_choices() if user.pk == _int(request.POST["cam"])), None)
                    if cam is None:
                        raise ServiceError(_("Choose a channel account manager from the list."))
                application = application_approve(
                    actor=request.user, application=application, cam=cam, reason=request.POST.get("reason", "")
                )
                messages.success(
                    request,
                    _("The application is approved: %(partner)s is a partner and its admin was invited.")
                    % {"partner": application.partner.name},
                )
            elif action == "reject":
                application_reject(actor=request.user, application=application, reason=request.POST.get("reason", ""))
                messages.success(request, _("The application is rejected; the applicant was told why."))
            else:
                messages.error(request, _("Unknown action."))
        except ServiceError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(change_url)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- Configuration ---------------------------------------------------------------------------------


@admin.register(ProgramPage)
class ProgramPageAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    list_display = ("program", "headline_en", "updated_at")
    list_select_related = ("program",)
    fieldsets = [
        (None, {"fields": ("program", "welcome_author")}),
        (_("English"), {"fields": ("headline_en", "mission_en", "value_proposition_en", "welcome_en")}),
        (
            _("Portuguese (Brazil)"),
            {"fields": ("headline_pt_br", "mission_pt_br", "value_proposition_pt_br", "welcome_pt_br")},
        ),
        (_("French"), {"fields": ("headline_fr", "mission_fr", "value_proposition_fr", "welcome_fr")}),
    ]

    def save_model(self, request, obj, form, change):
        configuration_save(actor=request.user, obj=obj, changed=form.changed_data)


class _ConfigAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Staff-configured lists; every change goes through partners.services.config, audited."""

    def save_model(self, request, obj, form, change):
        configuration_save(actor=request.user, obj=obj, changed=form.changed_data)

    def delete_model(self, request, obj):
        configuration_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(IcpQuestion)
class IcpQuestionAdmin(_ConfigAdmin):
    list_display = ("text_en", "program", "order", "required", "is_active")
    list_filter = ("program", "is_active", "required")
    list_select_related = ("program",)
    ordering = ("program", "order", "id")


@admin.register(CriteriaItem)
class CriteriaItemAdmin(_ConfigAdmin):
    list_display = ("text_en", "program", "order", "is_active")
    list_filter = ("program", "is_active")
    list_select_related = ("program",)
    ordering = ("program", "order", "id")


@admin.register(Specialty)
class SpecialtyAdmin(_ConfigAdmin):
    list_display = ("name_en", "name_pt_br", "name_fr", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name_en", "name_pt_br", "name_fr")


@admin.register(CamTerritory)
class CamTerritoryAdmin(_ConfigAdmin):
    list_display = ("cam", country_column)
    list_filter = ("country",)
    list_select_related = ("cam",)
    search_fields = ("cam__email", "country")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cam":
            kwargs["queryset"] = cam_choices()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
