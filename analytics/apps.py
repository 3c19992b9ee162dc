from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from prm.partner_pages import register_partner_nav

        from .access import dashboard_nav

        register_partner_nav("dashboard", dashboard_nav)
