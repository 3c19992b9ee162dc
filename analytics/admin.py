"""The dashboards in the admin: each program's inactivity threshold (saved through the service) and
the partners' activity as the hourly check last found it (read-only)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prm.admin import ReadOnlyModelAdmin
from prm.admin_services import ServiceSavedAdmin, ServiceValidatedForm

from . import services
from .models import PartnerActivity, ProgramAnalyticsSettings


class ProgramAnalyticsSettingsForm(ServiceValidatedForm):
    validator = staticmethod(services.analytics_settings_validate)
    validated_fields = services.SETTINGS_FIELDS

    class Meta:
        model = ProgramAnalyticsSettings
        fields = services.SETTINGS_FIELDS


@admin.register(ProgramAnalyticsSettings)
class ProgramAnalyticsSettingsAdmin(ServiceSavedAdmin):
    form = ProgramAnalyticsSettingsForm
    list_display = ("program", "inactivity_days")
    list_select_related = ("program",)
    readonly_fields = ("program",)
    fields = ("program", "inactivity_days")
    actions = None

    def has_add_permission(self, request):
        return False  # one row per program, made with the program

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        days = form.cleaned_data["inactivity_days"]
        self._saved(
            request,
            obj,
            lambda: services.analytics_settings_update(actor=request.user, settings=obj, inactivity_days=days),
        )


class InactiveFilter(admin.SimpleListFilter):
    title = _("inactive")
    parameter_name = "inactive"

    def lookups(self, request, model_admin):
        return (("yes", _("Yes")), ("no", _("No")))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(inactive_since__isnull=False)
        if self.value() == "no":
            return queryset.filter(inactive_since__isnull=True)
        return queryset


@admin.register(PartnerActivity)
class PartnerActivityAdmin(ReadOnlyModelAdmin):
    list_display = ("partner", "last_activity_at", "last_activity_kind", "inactive_since", "alerted_at", "checked_at")
    list_filter = (InactiveFilter, "last_activity_kind")
    list_select_related = ("partner",)
    search_fields = ("partner__name",)
    ordering = ("inactive_since", "partner__name")
    actions = None

    def get_queryset(self, request):
        from prm.tenancy import partner_scope_q

        return super().get_queryset(request).filter(partner_scope_q(request.user, "partner_id"))
