"""Admin of the program and its tiers (what each tier takes)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prm.branding import ACCENT_MIN_CONTRAST, PRIMARY_MIN_CONTRAST
from prm.errors import ServiceError
from prm.metrics import metrics

from ..models import Program, Tier, TierRequirement
from ..services.branding import colour_validate, program_branding_update
from ..services.profile import logo_reencode
from ..tiers import tier_requirements_set

PROGRAM_FIELDS = ("name", "slug", "calendar", "currency", "application_review_days", "onboarding_stall_days")
BRANDING_FIELDS = ("logo", "favicon", "primary_color", "accent_color")


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    show_change_link = True  # what a tier takes: on the tier's own page


class ProgramForm(forms.ModelForm):
    """The branding is checked here as the service checks it, so that a refusal shows on its field."""

    class Meta:
        model = Program
        fields = (*PROGRAM_FIELDS, *BRANDING_FIELDS)

    def clean(self):
        cleaned = super().clean()
        for field, minimum in (("primary_color", PRIMARY_MIN_CONTRAST), ("accent_color", ACCENT_MIN_CONTRAST)):
            if cleaned.get(field) is not None:
                try:
                    cleaned[field] = colour_validate(cleaned[field], field=field, minimum=minimum)
                except ServiceError as error:
                    self.add_error(field, error.message)
        for field in ("logo", "favicon"):
            upload = self.files.get(field)
            if upload:
                try:
                    logo_reencode(upload)
                except ServiceError as error:
                    self.add_error(field, error.message)
        return cleaned


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    form = ProgramForm
    list_display = ("name", "slug", "calendar", "currency", "primary_color")
    inlines = [TierInline]
    fieldsets = (
        (
            None,
            {"fields": ("name", "slug", "calendar", "currency", "application_review_days", "onboarding_stall_days")},
        ),
        (_("Branding"), {"fields": BRANDING_FIELDS}),
    )

    def save_model(self, request, obj, form, change):
        """The program's own fields as before; its branding through the branding service (checked,
        images re-encoded, audited)."""
        stored = Program.objects.filter(pk=obj.pk).first() if obj.pk else None
        obj.logo = stored.logo if stored else ""
        obj.favicon = stored.favicon if stored else ""
        primary, accent = obj.primary_color, obj.accent_color
        if stored:
            obj.primary_color, obj.accent_color = stored.primary_color, stored.accent_color
        super().save_model(request, obj, form, change)
        program_branding_update(
            actor=request.user,
            program=obj,
            primary_color=primary,
            accent_color=accent,
            logo=form.files.get("logo"),
            favicon=form.files.get("favicon"),
            clear_logo=form.cleaned_data.get("logo") is False,
        )


class TierRequirementForm(forms.ModelForm):
    metric = forms.ChoiceField(label=_("metric"), choices=())

    class Meta:
        model = TierRequirement
        fields = ["metric", "threshold"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = metrics()
        if self.instance.metric and self.instance.metric not in dict(choices):
            choices.append((self.instance.metric, self.instance.metric))  # no longer registered: delete it
        self.fields["metric"].choices = [("", "---------"), *choices]


class TierRequirementInline(admin.TabularInline):
    """What the tier takes, one metric of the registry (``prm.metrics``) per row. Part of the tier:
    whoever may change the tier may change them."""

    model = TierRequirement
    form = TierRequirementForm
    extra = 0

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("partners.view_tier") or self.has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("partners.change_tier")

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("__str__", "program", "rank")
    list_filter = ["program"]
    ordering = ["program", "rank"]
    inlines = [TierRequirementInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not TierRequirement:
            return super().save_formset(request, form, formset, change)
        thresholds = {
            row.cleaned_data["metric"]: row.cleaned_data["threshold"]
            for row in formset.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE") and row.cleaned_data.get("metric")
        }
        tier_requirements_set(actor=request.user, tier=form.instance, thresholds=thresholds)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []  # audited by the service
