from django.utils.translation import gettext_lazy as _

from prm.audit.labels import register_actions

register_actions(
    {
        "product.created": _("Product created"),
        "product.changed": _("Product changed"),
    }
)
