from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deal registration")

    def ready(self):
        from prm.partner_pages import register_home_context, register_staff_section, register_trail_scope
        from prm.programs import create_with_each_program

        from .models import Deal
        from .selectors import deals_visible_to, partner_deal_summary
        from .services.config import deal_program_settings_create
        from .services.handlers import register

        register()
        from .metrics import register as register_metrics

        register_metrics()
        # Every program has its deal registration settings, with the defaults until changed.
        create_with_each_program(deal_program_settings_create, dispatch_uid="deals.program_settings")
        register_home_context("deal_summary", partner_deal_summary)
        register_trail_scope(Deal, deals_visible_to)
        from .partner_page import staff_partner_deals

        register_staff_section("deals", staff_partner_deals)
        from prm.search import register_search

        from .selectors import search_deals

        register_search("deals", label=_("Deal registrations"), icon="briefcase", search=search_deals, order=10)

        # What each status means on a badge (one colour per meaning, ADR 0014).
        from prm.ui import register_tones

        register_tones(
            draft="neutral",
            submitted="progress",
            info_requested="action",
            approved="good",
            rejected="bad",
            won="good",
            lost="bad",
            expired="neutral",
        )
