"""Form widgets shared by the apps' pages."""

from __future__ import annotations

from django import forms


class IsoDateInput(forms.DateInput):
    """``<input type="date">``: browsers accept only an ISO value (2027-03-06), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class TimeZoneForm(forms.Form):
    """The zone a user's dates show in (``User.time_zone``); saved by ``user_set_time_zone``."""

    time_zone = forms.ChoiceField(required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings
        from django.utils.translation import gettext_lazy as _

        from prm.accounts.timezones import time_zone_choices

        super().__init__(*args, **kwargs)
        field = self.fields["time_zone"]
        field.label = _("Time zone")
        field.help_text = _("Dates and times show in this zone, with its name.")
        default = _("The program's zone (%(zone)s)") % {"zone": settings.TIME_ZONE}
        field.choices = [("", default), *time_zone_choices()]
        field.widget.attrs.update({"class": "form-select"})
