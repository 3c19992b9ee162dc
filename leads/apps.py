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
        from .services import register

        register()
        from .metrics import register as register_metrics

        register_metrics()
        post_save.connect(_program_saved, sender="partners.Program", dispatch_uid="leads.program_settings")

        # What each status of a lead and of an import means on a badge (one colour per meaning, ADR 0014).
        from prm.ui import register_tones

        register_tones(pool="neutral", offered="action", accepted="progress", contacted="progress")
        register_tones(qualified="progress", converted="good", lost="bad")
        register_tones(queued="neutral", running="progress", done="good", failed="bad")
