"""Admin of the partner agreement and the onboarding checklist."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from prm.admin import ReadOnlyModelAdmin
from prm.audit.admin import AuditTrailAdminMixin
from prm.errors import ServiceError

from ..models import AgreementAcceptance, AgreementVersion, OnboardingProgress, OnboardingStep, StepKind
from ..onboarding import (
    ONBOARDING_COMPLETE,
    ONBOARDING_IN_PROGRESS,
    ONBOARDING_NOT_STARTED,
    agreement_publish,
    with_onboarding_counts,
)
from ..services import configuration_delete, configuration_save


class OnboardingStateFilter(admin.SimpleListFilter):
    """Partners by onboarding state: every active step done, some done, none done."""

    title = _("onboarding state")
    parameter_name = "onboarding"

    def lookups(self, request, model_admin):
        return [
            ("complete", _("Complete")),
            ("in_progress", _("In progress")),
            ("not_started", _("Not started")),
        ]

    def queryset(self, request, queryset):
        condition = {
            "complete": ONBOARDING_COMPLETE,
            "in_progress": ONBOARDING_IN_PROGRESS,
            "not_started": ONBOARDING_NOT_STARTED,
        }.get(self.value())
        if condition is None:
            return queryset
        return with_onboarding_counts(queryset).filter(condition)


@admin.register(AgreementVersion)
class AgreementVersionAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Drafts are edited here; publishing goes through agreement_publish; published versions are read-only."""

    list_display = ("__str__", "program", "version", "published_at", "acceptance_count")
    list_filter = ("program",)
    ordering = ("program", "-version")
    actions = ["publish"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("program").annotate(acceptances_n=Count("acceptances"))

    @admin.display(description=_("acceptances"), ordering="acceptances_n")
    def acceptance_count(self, obj):
        return obj.acceptances_n

    def get_readonly_fields(self, request, obj=None):
        return ("published_at", "created_at")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.published_at is not None:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        configuration_save(actor=request.user, obj=obj, changed=form.changed_data)

    def delete_model(self, request, obj):
        configuration_delete(actor=request.user, obj=obj)

    @admin.action(description=_("Publish the selected versions"), permissions=["change"])
    def publish(self, request, queryset):
        for version in queryset.order_by("program_id", "version"):
            try:
                agreement_publish(actor=request.user, version=version)
            except ServiceError as error:
                self.message_user(request, f"{version}: {error.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("%(version)s is published. Partners must accept it.") % {"version": version},
                    messages.SUCCESS,
                )


class OnboardingStepForm(forms.ModelForm):
    class Meta:
        model = OnboardingStep
        fields = [
            "program",
            "order",
            "kind",
            "title_en",
            "title_pt_br",
            "title_fr",
            "body_en",
            "body_pt_br",
            "body_fr",
            "colleagues_required",
            "is_active",
        ]

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind == StepKind.CONTENT and not (cleaned.get("body_en") or "").strip():
            self.add_error("body_en", _("A content step needs its content in English."))
        if kind == StepKind.INVITE and not cleaned.get("colleagues_required"):
            self.add_error("colleagues_required", _("An invite step needs at least one colleague."))
        return cleaned


@admin.register(OnboardingStep)
class OnboardingStepAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """The program's checklist in order. Steps are deactivated, not deleted, to keep partners' progress."""

    form = OnboardingStepForm
    list_display = ("title_en", "program", "order", "kind", "is_active")
    list_display_links = ("title_en",)
    list_editable = ("order", "is_active")
    list_filter = ("program", "kind", "is_active")
    ordering = ("program", "order", "id")
    list_select_related = ("program",)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        configuration_save(actor=request.user, obj=obj, changed=form.changed_data)


@admin.register(AgreementAcceptance)
class AgreementAcceptanceAdmin(ReadOnlyModelAdmin):
    list_display = ("partner", "version", "user", "accepted_at", "ip")
    list_filter = ("version",)
    search_fields = ("partner__name", "user__email")
    date_hierarchy = "accepted_at"

    def get_queryset(self, request):
        return AgreementAcceptance.objects.visible_to(request.user).select_related("partner", "version", "user")


@admin.register(OnboardingProgress)
class OnboardingProgressAdmin(ReadOnlyModelAdmin):
    list_display = ("partner", "step", "completed_at", "completed_by")
    list_filter = ("step",)
    search_fields = ("partner__name",)
    date_hierarchy = "completed_at"

    def get_queryset(self, request):
        return OnboardingProgress.objects.visible_to(request.user).select_related("partner", "step", "completed_by")
