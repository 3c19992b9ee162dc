from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Lead distribution")

    def ready(self):
        from prm.partner_pages import register_home_context, register_staff_section
        from prm.programs import create_with_each_program

        from .selectors import partner_lead_summary
        from .services import register
        from .services.config import lead_program_settings_create

        register()
        from .metrics import register as register_metrics

        register_metrics()
        # Every program has its lead distribution settings, with the defaults until changed.
        create_with_each_program(lead_program_settings_create, dispatch_uid="leads.program_settings")
        register_home_context("lead_summary", partner_lead_summary)
        from .partner_page import staff_partner_leads

        register_staff_section("leads", staff_partner_leads)
        from prm.search import register_search

        from .selectors import search_leads

        register_search("leads", label=_("Leads"), icon="target", search=search_leads, order=20)

        # What each status of a lead and of an import means on a badge (one colour per meaning, ADR 0014).
        from prm.ui import register_tones

        register_tones(pool="neutral", offered="action", accepted="progress", contacted="progress")
        register_tones(qualified="progress", converted="good", lost="bad")
        register_tones(queued="neutral", running="progress", done="good", failed="bad")
