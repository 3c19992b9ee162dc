"""Admin of the partners (tier changes, CSV export) and their members."""

import csv

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from prm.admin import country_column
from prm.admin_filters import CamFilter as BaseCamFilter
from prm.audit.admin import AuditTrailAdminMixin
from prm.countries import country_name
from prm.errors import ServiceError
from prm.tenancy import cam_grants, sees_all_partners

from .. import services
from ..models import Industry, Membership, Partner, Region, Tier
from ._common import _csv_cell
from .onboarding import OnboardingStateFilter


class CamFilter(BaseCamFilter):
    """Partners by their channel account manager (the guardian grant), or with none."""

    partner_path = "pk"


class SetTierForm(forms.Form):
    tier = forms.ModelChoiceField(label=_("New tier"), queryset=Tier.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)

    def __init__(self, *args, program_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        tiers = (
            Tier.objects.filter(program_id__in=program_ids).select_related("program").order_by("program__name", "rank")
        )
        self.fields["tier"].queryset = tiers
        several = len(set(program_ids)) > 1
        self.fields["tier"].label_from_instance = lambda tier: (
            f"{tier.program.name} · {tier.tr('name')}" if several else tier.tr("name")
        )


class _Echo:
    def write(self, value):
        return value


class PartnerAdminForm(forms.ModelForm):
    """Checks the changed fields with the profile service, which writes them."""

    # Chosen by their names (the model's array fields would ask for the codes, comma-separated).
    regions = forms.MultipleChoiceField(
        label=_("regions served"), choices=Region.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    industries = forms.MultipleChoiceField(
        label=_("industries"), choices=Industry.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    # The stored logo is not a form field: a new one is checked by content and re-encoded by the
    # service (partners.services.profile.logo_reencode), as on the company profile page.
    new_logo = forms.FileField(
        label=_("New logo"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 2 MB. It is resized to fit 512 × 512 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )

    @staticmethod
    def service_data(form) -> dict:
        fields = (*services.STAFF_PROFILE_FIELDS, *services.PROFILE_FIELDS)
        if form.instance.pk is None:
            return {name: form.cleaned_data[name] for name in fields if name in form.cleaned_data}
        return {name: form.cleaned_data[name] for name in form.changed_data if name in fields}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("new_logo"):
            try:
                services.logo_reencode(cleaned["new_logo"])
            except ServiceError as error:
                self.add_error("new_logo", error.message)
        if not self.errors:
            try:
                services.partner_profile_validate(actor=self.actor, partner=self.instance, data=self.service_data(self))
            except ServiceError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned


@admin.register(Partner)
class PartnerAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    list_display = ("name", country_column, "tier", "is_active", "created_at")
    search_fields = ("name",)
    list_select_related = ("tier",)
    # The tier changes only through the "set tier" action (a reason, an audit event, a notification);
    # the logo through the service, which checks and re-encodes it (the form's "new logo").
    readonly_fields = ("is_active", "tier", "logo_link")
    exclude = ("logo",)
    actions = ["set_tier", "export_csv", "deactivate", "activate"]
    form = PartnerAdminForm

    def get_queryset(self, request):
        return Partner.objects.visible_to(request.user).select_related("tier")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.actor = request.user
        return form

    def get_list_filter(self, request):
        return ("is_active", "tier", "country", CamFilter, OnboardingStateFilter)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and sees_all_partners(request.user)

    def has_set_tier_permission(self, request):
        return request.user.has_perm("partners.set_tier")

    @admin.display(description=_("logo"))
    def logo_link(self, obj):
        if not obj.logo:
            return "—"
        return format_html('<img src="{}" alt="" width="96">', reverse("partner_logo", args=[obj.pk]))

    def save_model(self, request, obj, form, change):
        data = PartnerAdminForm.service_data(form)
        logo = form.cleaned_data.get("new_logo") or None
        if not change:
            obj.pk = services.partner_create(actor=request.user, data=data).pk
            data = {}
        if change or logo is not None:
            services.partner_profile_update(actor=request.user, partner=obj, data=data, logo=logo)

    def save_related(self, request, form, formsets, change):
        pass  # the specialties are written by the service, with the other fields

    @admin.action(description=_("Set the tier of the selected partners"), permissions=["set_tier"])
    def set_tier(self, request, queryset):
        partners = list(queryset.select_related("tier"))
        applying = "apply" in request.POST
        form = SetTierForm(request.POST if applying else None, program_ids={p.program_id for p in partners})
        if applying and form.is_valid():
            changed = 0
            for partner in partners:
                try:
                    services.partner_set_tier(
                        actor=request.user,
                        partner=partner,
                        tier=form.cleaned_data["tier"],
                        reason=form.cleaned_data["reason"],
                    )
                except ServiceError as error:
                    self.message_user(request, f"{partner.name}: {error.message}", messages.ERROR)
                else:
                    changed += 1
            if changed:
                self.message_user(
                    request,
                    ngettext("%(count)d partner moved to %(tier)s.", "%(count)d partners moved to %(tier)s.", changed)
                    % {"count": changed, "tier": form.cleaned_data["tier"]},
                    messages.SUCCESS,
                )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": _("Set the tier"),
            "opts": self.model._meta,
            "partners": partners,
            "form": form,
            "select_across": request.POST.get("select_across", "0"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "partners/team/admin_set_tier.html", context)

    @admin.action(description=_("Export the selected partners as CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        """Streams one row per partner in scope; one query whatever the number of partners."""
        from prm.audit.services import audit_record

        from ..onboarding import with_onboarding_counts

        cams = (
            cam_grants()
            .filter(content_object_id=OuterRef("pk"), user__is_active=True)
            .order_by("user__email")
            .values("user__email")
        )
        rows = (
            with_onboarding_counts(Partner.objects.visible_to(request.user).filter(pk__in=queryset.values("pk")))
            .select_related("tier")
            .annotate(cam_emails=ArraySubquery(cams))
            .order_by("name", "pk")
        )
        audit_record(actor=request.user, action="partners.exported", reason="csv")
        writer = csv.writer(_Echo())
        header = [
            _("name"),
            _("country"),
            _("tier"),
            _("CAM emails"),
            _("active"),
            _("onboarding steps done"),
            _("onboarding steps"),
            _("created"),
            _("country code"),
        ]

        def lines():
            yield writer.writerow([str(title) for title in header])
            for partner in rows.iterator(chunk_size=500):
                yield writer.writerow(
                    [
                        _csv_cell(partner.name),
                        _csv_cell(country_name(partner.country)),
                        _csv_cell(partner.tier.name if partner.tier else ""),
                        _csv_cell(" ".join(partner.cam_emails or [])),
                        "yes" if partner.is_active else "no",
                        partner.onboarding_done,
                        partner.onboarding_total,
                        partner.created_at.date().isoformat(),
                        partner.country,
                    ]
                )

        response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="partners.csv"'
        return response

    @admin.action(description=_("Deactivate selected partners"), permissions=["change"])
    def deactivate(self, request, queryset):
        for partner in queryset:
            services.partner_set_active(actor=request.user, partner=partner, active=False)

    @admin.action(description=_("Activate selected partners"), permissions=["change"])
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
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            try:
                services.membership_remove(actor=request.user, membership=membership)
            except ServiceError as error:
                messages.error(request, error.message)
                raise PermissionDenied(str(error.message)) from error
