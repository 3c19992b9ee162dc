from django.utils.translation import gettext_lazy as _

from prm.audit.labels import register_actions

register_actions(
    {
        "login.succeeded": _("Signed in"),
        "login.failed": _("Sign-in failed"),
        "logout": _("Signed out"),
        "user.created": _("User created"),
        "user.changed": _("User changed"),
        "user.roles_changed": _("User's roles changed"),
        "user.deactivated": _("User deactivated"),
        "token.created": _("API token created"),
        "token.revoked": _("API token revoked"),
        "user.time_zone_set": _("Time zone changed"),
    }
)
