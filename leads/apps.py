from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _program_saved(sender, instance, created, raw=False, **kwargs):
    """Every program has its lead distribution settings, with the defaults until changed."""
    if created and not raw:
        from .services.config import lead_program_settings_create

        lead_program_settings_create(program=instance)


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Lead distribution")

    def ready(self):
        from prm.partner_pages import register_home_context

        from .selectors import partner_lead_summary
        from .services import register

        register()
        from .metrics import register as register_metrics

        register_metrics()
        post_save.connect(_program_saved, sender="partners.Program", dispatch_uid="leads.program_settings")
        register_home_context("lead_summary", partner_lead_summary)
