"""Global search (prm.search): the partners a staff user may see, by name."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prm.search import Hit
from prm.tenancy import is_vendor_staff

from .partners import partners_visible


def search_partners(user, text: str, limit: int):
    if not is_vendor_staff(user):
        return []  # a partner user finds its own records, not partners
    rows = partners_visible(user).filter(name__icontains=text)[:limit]
    return [
        Hit(
            title=partner.name,
            subtitle=str(partner.tier or ""),
            url=reverse("staff_partner_detail", args=[partner.pk]),
            status="active" if partner.is_active else "inactive",
            status_label=str(_("active") if partner.is_active else _("inactive")),
        )
        for partner in rows
    ]
