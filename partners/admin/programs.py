"""Admin of the program and its tiers (what each tier takes)."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from prm.metrics import metrics

from ..models import Program, Tier, TierRequirement
from ..tiers import tier_requirements_set


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    show_change_link = True  # what a tier takes: on the tier's own page


@admin.register(Program)
class ProgramAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "calendar", "currency")
    inlines = [TierInline]


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
