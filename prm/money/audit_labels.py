from django.utils.translation import gettext_lazy as _

from prm.audit.labels import register_actions

register_actions(
    {
        "exchange_rate.created": _("Exchange rate created"),
        "exchange_rate.changed": _("Exchange rate changed"),
        "exchange_rate.deleted": _("Exchange rate deleted"),
        "exchange_rates.loaded": _("Exchange rates loaded"),
    }
)
