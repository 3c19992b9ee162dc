"""What the channel manager configures for lead distribution in the admin: the assignment rules,
the programs' lead settings and the partners' locations (saved through ``leads.services.config``)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import CompanySize, Industry, Partner, Region
from prm.audit.admin import AuditTrailAdminMixin
from prm.countries import COUNTRIES, country_name

from ..models import AssignmentRule, LeadProgramSettings, LeadRating, PartnerLocation
from ..services import config as services_config

# --- Assignment rules and settings ---------------------------------------------------------------


class _Codes(forms.CharField):
    """Comma-separated country codes, checked against the list."""

    def to_python(self, value):
        if isinstance(value, list | tuple):
            value = ",".join(value)
        return [code.strip().upper() for code in (value or "").split(",") if code.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        unknown = [code for code in value if code not in COUNTRIES]
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown country codes: %(codes)s") % {"codes": ", ".join(unknown)}, code="invalid"
            )


class _Texts(forms.CharField):
    def to_python(self, value):
        if isinstance(value, list | tuple):
            return list(value)
        return [" ".join(item.split()) for item in (value or "").split(",") if item.strip()]

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list | tuple) else value


def _multiple(choices, label):
    return forms.MultipleChoiceField(label=label, choices=choices, required=False, widget=forms.CheckboxSelectMultiple)


class AssignmentRuleForm(forms.ModelForm):
    countries = _Codes(
        label=_("lead countries"), required=False, help_text=_("Country codes, separated by commas (BR, FR).")
    )
    regions = _Texts(label=_("lead regions or states"), required=False, help_text=_("Separated by commas."))
    industries = _multiple(Industry.choices, _("lead industries"))
    company_sizes = _multiple(CompanySize.choices, _("company sizes"))
    ratings = _multiple(LeadRating.choices, _("ratings"))
    partner_countries = _Codes(
        label=_("partner countries"), required=False, help_text=_("Country codes, separated by commas (BR, FR).")
    )
    partner_regions = _multiple(Region.choices, _("regions served by the partner"))

    class Meta:
        model = AssignmentRule
        fields = (
            "name",
            "order",
            "is_active",
            "strategy",
            "countries",
            "regions",
            "industries",
            "products",
            "company_sizes",
            "ratings",
            "min_tier_rank",
            "specialties",
            "partner_countries",
            "partner_regions",
        )


def _rule_summary(rule: AssignmentRule) -> str:
    parts = []
    if rule.countries:
        parts.append(", ".join(country_name(code) for code in rule.countries))
    if rule.regions:
        parts.append(", ".join(rule.regions))
    if rule.industries:
        parts.append(", ".join(str(Industry(value).label) for value in rule.industries if value in Industry.values))
    if rule.company_sizes:
        parts.append(", ".join(rule.company_sizes))
    if rule.ratings:
        parts.append(", ".join(rule.ratings))
    return " · ".join(parts) or gettext("any lead")


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Ordered rules; the channel manager edits them, the other staff read them."""

    form = AssignmentRuleForm
    list_display = ("order", "name", "strategy", "is_active", "criteria", "min_tier_rank")
    list_display_links = ("name",)
    list_filter = ("is_active", "strategy")
    search_fields = ("name",)
    ordering = ("order", "pk")
    actions = None
    filter_horizontal = ("products", "specialties")
    fieldsets = [
        (None, {"fields": ("name", "order", "is_active", "strategy")}),
        (
            _("Which leads (empty: any)"),
            {"fields": ("countries", "regions", "industries", "products", "company_sizes", "ratings")},
        ),
        (
            _("Which partners (empty: any eligible partner)"),
            {"fields": ("min_tier_rank", "specialties", "partner_countries", "partner_regions")},
        ),
    ]

    @admin.display(description=_("criteria"))
    def criteria(self, obj):
        return _rule_summary(obj)

    def save_model(self, request, obj, form, change):
        services_config.assignment_rule_save(actor=request.user, rule=obj, changed=form.changed_data)

    def delete_model(self, request, obj):
        services_config.assignment_rule_delete(actor=request.user, rule=obj)


class _CheckedForm(forms.ModelForm):
    """A form whose values the service checks: ``problems(cleaned)`` gives a message per field."""

    problems = None

    def clean(self):
        cleaned = super().clean()
        for name, message in self.problems(cleaned).items():
            self.add_error(name, message)
        return cleaned


class LeadProgramSettingsForm(_CheckedForm):
    problems = staticmethod(services_config.settings_problems)

    class Meta:
        model = LeadProgramSettings
        fields = (
            "acceptance_days",
            "first_contact_days_a",
            "first_contact_days_b",
            "first_contact_days_c",
            "max_open_leads",
            "max_reassignments",
        )


@admin.register(LeadProgramSettings)
class LeadProgramSettingsAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """The channel manager changes a program's lead distribution settings."""

    form = LeadProgramSettingsForm
    list_display = (
        "program",
        "acceptance_days",
        "first_contact_days_a",
        "first_contact_days_b",
        "first_contact_days_c",
        "max_open_leads",
        "max_reassignments",
    )
    list_select_related = ("program",)
    readonly_fields = ("program",)
    actions = None
    fieldsets = [
        (None, {"fields": ("program",)}),
        (_("Acceptance"), {"fields": ("acceptance_days", "max_reassignments", "max_open_leads")}),
        (_("First contact"), {"fields": ("first_contact_days_a", "first_contact_days_b", "first_contact_days_c")}),
    ]

    def has_add_permission(self, request):
        return False  # one row per program, made with the program

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        changes = {name: [str(form.initial.get(name)), str(form.cleaned_data.get(name))] for name in form.changed_data}
        services_config.lead_settings_save(actor=request.user, settings=obj, changes=changes)


class PartnerLocationForm(_CheckedForm):
    problems = staticmethod(services_config.location_problems)

    class Meta:
        model = PartnerLocation
        fields = ("partner", "latitude", "longitude", "region")


@admin.register(PartnerLocation)
class PartnerLocationAdmin(AuditTrailAdminMixin, admin.ModelAdmin):
    """Where a partner is, for the nearest strategy; the channel manager keeps it."""

    form = PartnerLocationForm
    list_display = ("partner", "latitude", "longitude", "region")
    list_select_related = ("partner",)
    search_fields = ("partner__name", "region")
    actions = None

    def get_queryset(self, request):
        return PartnerLocation.objects.visible_to(request.user).select_related("partner")

    def get_readonly_fields(self, request, obj=None):
        return ("partner",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner":
            kwargs["queryset"] = Partner.objects.visible_to(request.user).filter(lead_location__isnull=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_delete_permission(self, request, obj=None):
        return False  # clear the coordinates instead

    def save_model(self, request, obj, form, change):
        services_config.partner_location_save(actor=request.user, location=obj, changed=form.changed_data)
