from django.utils.translation import gettext_lazy as _

from prm.audit.labels import register_actions

register_actions({"access.denied": _("Access denied")})
