from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "prm.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from prm.notifications.kinds import register_kind

        from . import schema, signals  # noqa: F401

        register_kind(
            "account.token_created",
            label=_("A new API token is created on my account"),
            subject=_("A new API token was created: {name}"),
            body=_(
                "An API token named “{name}” was created on your account. "
                "If it was not you, revoke it on your profile page and tell your administrator."
            ),
        )
