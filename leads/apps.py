from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeadsConfig(AppConfig):
    name = "leads"
    verbose_name = _("Lead distribution")

    def ready(self):
        from .services import register

        register()
        from .metrics import register as register_metrics

        register_metrics()
