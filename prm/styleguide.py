"""The design system's reference page (ADR 0014): every component, in each language.

Open to vendor staff, and to anyone while DEBUG is on (a developer's own machine); to others it is
a missing page.
"""

from django import forms
from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from prm import ui
from prm.tenancy import is_vendor_staff


class ExampleForm(forms.Form):
    company = forms.CharField(label=_("Company name"), max_length=200, help_text=_("As on the customer's invoices."))
    country = forms.ChoiceField(label=_("Country"), choices=[("BR", _("Brazil")), ("FR", _("France"))])
    amount = forms.DecimalField(label=_("Estimated amount"), min_value=0, decimal_places=2)
    attachment = forms.FileField(label=_("Proof"), required=False, help_text=_("PDF, PNG or JPEG, up to 5 MB."))
    agree = forms.BooleanField(label=_("I confirm the customer agreed to be contacted."), required=False)


@require_GET
def styleguide(request):
    if not (settings.DEBUG or is_vendor_staff(request.user)):
        raise Http404
    form = ExampleForm(data={"company": "", "country": "BR", "amount": "-1"})
    form.is_valid()
    tones = sorted(ui._tones.items(), key=lambda item: (list(ui.MEANINGS).index(item[1]), item[0]))
    return render(
        request,
        "prm/styleguide.html",
        {"form": form, "tones": tones, "languages": [code for code, _name in settings.LANGUAGES]},
    )
