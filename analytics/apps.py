from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AnalyticsConfig(AppConfig):
    name = "analytics"
    verbose_name = _("Analytics")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from prm.partner_pages import register_partner_nav
        from prm.programs import create_with_each_program

        from .access import dashboard_nav
        from .notifications import register_kinds
        from .services import analytics_program_settings_create

        register_partner_nav("dashboard", dashboard_nav)
        register_kinds()
        create_with_each_program(analytics_program_settings_create, dispatch_uid="analytics.program_settings")
