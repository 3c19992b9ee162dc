from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from prm.audit.admin import AuditTrailAdminMixin

from . import services
from .models import ApiToken, User
from .timezones import time_zone_choices


@admin.register(User)
class UserAdmin(AuditTrailAdminMixin, BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal", {"fields": ("first_name", "last_name", "language", "time_zone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    actions = ["deactivate"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "time_zone":  # a list of the zones, blank for the program's
            return forms.ChoiceField(
                required=False,
                choices=[("", "—"), *time_zone_choices()],
                label=db_field.verbose_name.capitalize(),
                help_text=db_field.help_text,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        from prm.audit.services import audit_record

        # Deactivation is the service's: it ends the sessions and records the event.
        deactivating = change and "is_active" in form.changed_data and not obj.is_active
        if deactivating:
            obj.is_active = True
        super().save_model(request, obj, form, change)
        if deactivating:
            obj.is_active = services.user_deactivate(actor=request.user, user=obj).is_active
        elif form.changed_data:
            audit_record(
                actor=request.user,
                action="user.changed" if change else "user.created",
                obj=obj,
                reason=", ".join(form.changed_data),
            )

    def save_related(self, request, form, formsets, change):
        from prm.audit.services import audit_record

        before = set(form.instance.groups.values_list("name", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        after = set(form.instance.groups.values_list("name", flat=True))
        if before != after:
            audit_record(
                actor=request.user,
                action="user.roles_changed",
                obj=form.instance,
                from_state=",".join(sorted(before)),
                to_state=",".join(sorted(after)),
            )

    @admin.action(description="Deactivate selected users", permissions=["change"])
    def deactivate(self, request, queryset):
        for user in queryset:
            services.user_deactivate(actor=request.user, user=user)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "key_prefix", "created_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
    readonly_fields = ("user", "name", "key_prefix", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False
