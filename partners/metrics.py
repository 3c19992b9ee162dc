"""The partners app's metrics (``prm.metrics``)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from prm.metrics import register_activity, register_metric


def last_login(partner_ids: list[int], since) -> dict:
    """The moment a user of each partner last signed in (active users only)."""
    from django.contrib.auth import get_user_model
    from django.db.models import Max

    users = get_user_model().objects.filter(is_active=True, membership__partner_id__in=partner_ids)
    users = users.filter(last_login__isnull=False) if since is None else users.filter(last_login__gte=since)
    rows = users.values("membership__partner_id").annotate(last=Max("last_login")).order_by()
    return dict(rows.values_list("membership__partner_id", "last"))


def register() -> None:
    register_activity("partners.login", last_login, label=_("a sign-in"))
    # Certifications are not recorded in the portal yet: a tier may require them (the threshold is
    # shown) but there are no values until an app measures them.
    register_metric(
        "partners.certified_people",
        None,
        label=_("certified people"),
        requirement=ngettext_lazy("%(counter)s certified person", "%(counter)s certified people", "counter"),
    )
