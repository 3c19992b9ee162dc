"""Exchange rates in the admin: the channel manager keeps them, CAMs and executives read them.

Every write goes through ``prm.money.services`` (validated there, one audit event each).
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from prm.audit.admin import AuditTrailAdminMixin
from prm.errors import ServiceError

from . import services
from .models import ExchangeRate


class ExchangeRateForm(forms.ModelForm):
    class Meta:
        model = ExchangeRate
        fields = services.RATE_FIELDS

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.exchange_rate_validate(**{name: cleaned.get(name) for name in services.RATE_FIELDS})
            except ServiceError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(ExchangeRate)
class ExchangeRateAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    form = ExchangeRateForm
    list_display = ("date", "currency", "rate", "updated_at")
    list_filter = ("currency",)
    date_hierarchy = "date"
    search_fields = ("currency",)
    ordering = ("-date", "currency")
    list_per_page = 100

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.RATE_FIELDS}
        try:
            if change:
                saved = services.exchange_rate_update(actor=request.user, exchange_rate=obj, **data)
            else:
                saved = services.exchange_rate_create(actor=request.user, **data)
        except ServiceError as error:  # a race past the form's check: a message and a 403, never a 500
            messages.error(request, error.message)
            raise PermissionDenied(str(error.message)) from error
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.exchange_rate_delete(actor=request.user, exchange_rate=obj)

    def delete_queryset(self, request, queryset):
        for rate in queryset:
            services.exchange_rate_delete(actor=request.user, exchange_rate=rate)
