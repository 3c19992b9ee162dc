from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PrmConfig(AppConfig):
    name = "prm"
    verbose_name = "Partner portal platform"

    def ready(self):
        # The admin (first in INSTALLED_APPS) has loaded every admin module by now.
        from prm.admin import scope_every_admin

        scope_every_admin()

        # Out-of-range filter values in the admin's lists are wrong lookups, not 500s (Django #37357).
        from prm.admin_changelist import guard_every_changelist

        guard_every_changelist()

        # The vendor staff groups, with what every app's roles.py grants them.
        from prm.roles import ensure_staff_groups_after_migrate

        post_migrate.connect(ensure_staff_groups_after_migrate, dispatch_uid="prm.roles.ensure_staff_groups")
