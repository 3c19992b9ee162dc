from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from prm.accounts.services import ServiceError
from prm.audit.admin import AuditTrailAdminMixin
from prm.tenancy import sees_all_partners

from . import services
from .models import Membership, Partner, Program, Tier


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "calendar", "currency")
    inlines = [TierInline]


@admin.register(Partner)
class PartnerAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    list_display = ("name", "country", "tier", "is_active", "created_at")
    list_filter = ("is_active", "tier", "country")
    search_fields = ("name",)
    list_select_related = ("tier",)
    readonly_fields = ("is_active",)
    actions = ["deactivate", "activate"]

    def get_queryset(self, request):
        return Partner.objects.visible_to(request.user).select_related("tier")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and sees_all_partners(request.user)

    def save_model(self, request, obj, form, change):
        from prm.audit.services import audit_record

        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data)
        audit_record(
            actor=request.user,
            action="partner.changed" if change else "partner.created",
            obj=obj,
            reason=changed,
        )

    @admin.action(description="Deactivate selected partners", permissions=["change"])
    def deactivate(self, request, queryset):
        for partner in queryset:
            services.partner_set_active(actor=request.user, partner=partner, active=False)

    @admin.action(description="Activate selected partners", permissions=["change"])
    def activate(self, request, queryset):
        for partner in queryset:
            services.partner_set_active(actor=request.user, partner=partner, active=True)


class MembershipAdminForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ("user", "partner", "role")

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("user") and cleaned.get("role"):
            try:
                services.membership_validate(user=cleaned["user"], role=cleaned["role"])
            except ServiceError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(Membership)
class MembershipAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    form = MembershipAdminForm
    list_display = ("user", "partner", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__email", "partner__name")
    list_select_related = ("user", "partner")
    autocomplete_fields = ("user", "partner")

    def get_queryset(self, request):
        return Membership.objects.visible_to(request.user).select_related("user", "partner")

    def get_readonly_fields(self, request, obj=None):
        return ("user", "partner") if obj else ()

    def save_model(self, request, obj, form, change):
        try:
            if change:
                services.membership_change_role(actor=request.user, membership=obj, role=obj.role)
            else:
                created = services.membership_add(actor=request.user, user=obj.user, partner=obj.partner, role=obj.role)
                obj.pk = created.pk
        except ServiceError as error:
            messages.error(request, error.message)
            raise PermissionDenied(str(error.message)) from error

    def delete_model(self, request, obj):
        services.membership_remove(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_remove(actor=request.user, membership=membership)
