"""The partners app's metrics (``prm.metrics``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from prm.metrics import register_metric


def register() -> None:
    # Certifications are not recorded in the portal yet: a tier may require them (the threshold is
    # shown) but there are no values until an app measures them.
    register_metric(
        "partners.certified_people",
        None,
        label=_("certified people"),
        requirement=ngettext_lazy("%(counter)s certified person", "%(counter)s certified people", "counter"),
    )
