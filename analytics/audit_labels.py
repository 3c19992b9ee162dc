from django.utils.translation import gettext_lazy as _

from prm.audit.labels import register_actions

register_actions(
    {
        "analytics_settings.changed": _("Dashboard settings changed"),
        "saved_view.created": _("Dashboard view saved"),
        "saved_view.deleted": _("Dashboard view deleted"),
    }
)
