from django.apps import AppConfig


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "Partner portal platform"

    def ready(self):
        # The admin (first in INSTALLED_APPS) has loaded every admin module by now.
        from prm.admin import scope_every_admin

        scope_every_admin()
