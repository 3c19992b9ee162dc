"""Form widgets shared by the apps' pages."""

from __future__ import annotations

from django import forms


class IsoDateInput(forms.DateInput):
    """``<input type="date">``: browsers accept only an ISO value (2027-03-06), whatever the language."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
