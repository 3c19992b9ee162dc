from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from prm.notifications.selectors import unread_count
from prm.partner_pages import partner_nav
from prm.tenancy import is_vendor_staff, membership_of


def _nav(request):
    """The main navigation: (url, label, icon), the current item being the longest matching prefix."""
    user = request.user
    membership = membership_of(user)
    items = [(reverse("home"), _("Home"), "home")]
    if membership is not None:
        items += partner_nav(membership)
        items.append((reverse("deal_list"), _("Deals"), "briefcase"))
        items.append((reverse("lead_inbox"), _("Leads"), "target"))
        items.append((reverse("team"), _("Team"), "users"))
        items.append((reverse("company_profile"), _("Company profile"), "building"))
    if is_vendor_staff(user):
        items.append((reverse("staff_dashboard"), _("Dashboard"), "layout-dashboard"))
        items.append((reverse("staff_partner_list"), _("Partners"), "building-store"))
        items.append((reverse("admin:index"), _("Admin"), "settings"))
        if user.has_perm("leads.add_lead"):
            items.append((reverse("staff_lead_import"), _("Import leads"), "file-upload"))
        items.append((reverse("api_docs"), _("API"), "key"))
    path = request.path
    current = max(
        (url for url, _label, _icon in items if path == url or (url != "/" and path.startswith(url))),
        key=len,
        default=None,
    )
    return [{"url": url, "label": label, "icon": icon, "current": url == current} for url, label, icon in items]


def portal(request):
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "portal_nav": SimpleLazyObject(lambda: _nav(request)),
        "portal_membership": SimpleLazyObject(lambda: membership_of(request.user)),
        "unread_notifications": unread_count(request.user),
    }
