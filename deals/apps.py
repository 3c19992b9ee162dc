from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DealsConfig(AppConfig):
    name = "deals"
    verbose_name = _("Deal registration")

    def ready(self):
        from .services import register

        register()
        from .metrics import register as register_metrics

        register_metrics()
