import datetime

from django import forms
from django.utils import translation

from prm.forms import IsoDateInput


class _Form(forms.Form):
    on = forms.DateField(widget=IsoDateInput())


def test_a_date_input_holds_an_iso_date_whatever_the_language():
    for language in ("en", "pt-br", "fr"):
        with translation.override(language):
            html = str(_Form(initial={"on": datetime.date(2027, 3, 6)})["on"])
            assert 'type="date"' in html and 'value="2027-03-06"' in html
            assert _Form({"on": "2027-03-06"}).is_valid()
