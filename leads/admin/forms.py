"""The forms of the leads' admin: a new lead, and the confirmation forms of the routing actions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.selectors import active_products
from partners.models import Partner
from prm.countries import COUNTRIES
from prm.errors import ServiceError

from .. import services
from ..models import Lead

# --- Forms ------------------------------------------------------------------------------------


def _country_choices():
    choices = sorted(((code, f"{name} ({code})") for code, name in COUNTRIES.items()), key=lambda c: str(c[1]))
    return [("", "---------"), *choices]


class LeadCreateForm(forms.ModelForm):
    """A new lead: the fields are checked by ``clean_lead_fields`` (shown beside each field) and the
    lead is made by ``lead_create``."""

    country = forms.ChoiceField(label=_("country"), choices=())
    product = forms.ModelChoiceField(label=_("product interest"), queryset=active_products().none(), required=False)
    assign_now = forms.BooleanField(
        label=_("Assign by the rules now"),
        required=False,
        help_text=_("Otherwise the lead waits in the vendor pool for the next routing run."),
    )

    class Meta:
        model = Lead
        fields = services.LEAD_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "country" in self.fields:  # the add form (the change page shows the fields read-only)
            self.fields["country"].choices = _country_choices()
        if "product" in self.fields:
            self.fields["product"].queryset = active_products()

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.lead_fields = services.clean_lead_fields({name: cleaned.get(name) for name in services.LEAD_FIELDS})
        except ServiceError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned

    def _post_clean(self):
        # The model's own validation is not the rule: ``clean_lead_fields`` is (through the service).
        pass


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (kept in the audit trail)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class AssignForm(forms.Form):
    """Nothing to ask: the rules decide."""


class ReassignForm(forms.Form):
    partner = forms.ModelChoiceField(
        label=_("Partner"),
        queryset=Partner.objects.none(),
        required=False,
        empty_label=_("The rules choose (leaving out the current partner)"),
    )
    note = forms.CharField(
        label=_("Note (kept with the assignment)"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = Partner.objects.visible_to(user).filter(is_active=True).order_by("name")
