from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "prm.audit"
    label = "audit"
    verbose_name = _("Audit")

    def ready(self):
        # Every app's audit_labels.py names its action codes (prm.audit.labels).
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("audit_labels")
