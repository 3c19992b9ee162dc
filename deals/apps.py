from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deal registration")

    def ready(self):
        from prm.partner_pages import register_home_context, register_trail_scope

        from .models import Deal
        from .selectors import deals_visible_to, partner_deal_summary
        from .services import register

        register()
        register_home_context("deal_summary", partner_deal_summary)
        register_trail_scope(Deal, deals_visible_to)
