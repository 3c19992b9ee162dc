from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from prm.notifications.selectors import unread_count
from prm.tenancy import is_vendor_staff, membership_of


def _nav(request):
    user = request.user
    items = [(reverse("home"), _("Home"))]
    if membership_of(user) is not None:
        items.append((reverse("deal_list"), _("Deals")))
        items.append((reverse("lead_inbox"), _("Leads")))
        items.append((reverse("team"), _("Team")))
        items.append((reverse("company_profile"), _("Company profile")))
    if is_vendor_staff(user):
        items.append((reverse("admin:index"), _("Admin")))
        if user.has_perm("leads.add_lead"):
            items.append((reverse("staff_lead_import"), _("Import leads")))
        items.append((reverse("api_docs"), _("API")))
    return [{"url": url, "label": label, "current": request.path == url} for url, label in items]


def portal(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "portal_nav": SimpleLazyObject(lambda: _nav(request)),
        "unread_notifications": unread_count(request.user),
    }
