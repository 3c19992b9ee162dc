"""What staff configure for deal registration in the admin: house accounts and each program's deal registration
settings, validated beside the fields and saved through ``deals.services.config``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prm.admin import country_column
from prm.admin_services import ServiceSavedAdmin, ServiceValidatedForm
from prm.countries import COUNTRIES

from ..models import DealProgramSettings, HouseAccount
from ..services import config


class HouseAccountForm(ServiceValidatedForm):
    validator = staticmethod(config.house_account_validate)
    validated_fields = config.HOUSE_ACCOUNT_FIELDS
    country = forms.ChoiceField(label=_("country"), choices=())

    class Meta:
        model = HouseAccount
        fields = config.HOUSE_ACCOUNT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = sorted(((code, f"{name} ({code})") for code, name in COUNTRIES.items()), key=lambda c: str(c[1]))
        self.fields["country"].choices = [("", "---------"), *choices]


@admin.register(HouseAccount)
class HouseAccountAdmin(ServiceSavedAdmin):
    form = HouseAccountForm
    list_display = ("company_name", country_column, "email_domain", "tax_id", "created_at")
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
                lambda: config.house_account_update(actor=request.user, account=obj, **data),
            )
        else:
            self._saved(request, obj, lambda: config.house_account_create(actor=request.user, **data))

    def delete_model(self, request, obj):
        config.house_account_delete(actor=request.user, account=obj)

    def delete_queryset(self, request, queryset):
        for account in queryset:
            config.house_account_delete(actor=request.user, account=account)


class DealProgramSettingsForm(ServiceValidatedForm):
    validator = staticmethod(config.deal_program_settings_validate)
    validated_fields = config.SETTINGS_FIELDS

    class Meta:
        model = DealProgramSettings
        fields = config.SETTINGS_FIELDS


@admin.register(DealProgramSettings)
class DealProgramSettingsAdmin(ServiceSavedAdmin):
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
            lambda: config.deal_program_settings_update(actor=request.user, settings=obj, **data),
        )
