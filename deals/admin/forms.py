"""The forms of the deal decisions: the single buttons of the change page and the bulk confirmations
of the changelist share them."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

_REJECT_CONFLICTING_HELP = _(
    "Registrations of the same customer that are still open are rejected with the reason “conflict” in the same step."
)


class ApproveForm(forms.Form):
    reject_conflicting = forms.BooleanField(
        label=_("Also reject the conflicting open registrations"), required=False, help_text=_REJECT_CONFLICTING_HELP
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (sent to the partner)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    reject_conflicting = forms.BooleanField(
        label=_("Also reject the conflicting open registrations"), required=False, help_text=_REJECT_CONFLICTING_HELP
    )


class RequestInfoForm(forms.Form):
    question = forms.CharField(
        label=_("Question to the partner"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class ExtensionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve the extension")), ("reject", _("Refuse the extension"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Note (optional)"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000, required=False
    )
