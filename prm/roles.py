"""Vendor staff roles: groups with permissions. Partner roles live on Membership.

Each app declares what its models grant to each staff role in its own ``roles.py``, as
``STAFF_GRANTS = {role: (app_label.codename, ...)}``; :func:`ensure_staff_groups` collects the
declarations of every installed app and sets each role's group to exactly their union.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _


class StaffRole:
    CHANNEL_MANAGER = "channel_manager"
    CAM = "channel_account_manager"
    ACQUISITION = "channel_acquisition"
    MARKETING = "channel_marketing"
    TRAINING = "channel_training"
    EXECUTIVE = "executive"

    LABELS = {
        CHANNEL_MANAGER: _("Channel manager"),
        CAM: _("Channel account manager"),
        ACQUISITION: _("Channel acquisition"),
        MARKETING: _("Channel marketing"),
        TRAINING: _("Channel training"),
        EXECUTIVE: _("Executive (read-only)"),
    }


def staff_grants() -> dict[str, set[str]]:
    """Role -> the app-qualified permission names every installed app grants it."""
    grants: dict[str, set[str]] = {role: set() for role in StaffRole.LABELS}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "roles"):
            continue
        declared = getattr(import_module(f"{config.name}.roles"), "STAFF_GRANTS", {})
        for role, names in declared.items():
            if role not in grants:
                raise LookupError(f"{config.name}.roles grants to an unknown staff role: {role}")
            grants[role].update(names)
    return grants


def ensure_staff_groups() -> None:
    """Create or update the vendor staff groups and their permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    grants = staff_grants()
    wanted = set().union(*grants.values())
    found = {
        f"{permission.content_type.app_label}.{permission.codename}": permission
        for permission in Permission.objects.select_related("content_type").filter(
            content_type__app_label__in={name.split(".", 1)[0] for name in wanted}
        )
    }
    unknown = sorted(wanted - set(found))
    if unknown:
        raise LookupError(f"Staff roles grant permissions that do not exist: {unknown}")
    for role, names in grants.items():
        group, _created = Group.objects.get_or_create(name=role)
        group.permissions.set([found[name] for name in names])


def ensure_staff_groups_after_migrate(sender, **kwargs) -> None:
    """post_migrate: once, after the last app, when every app's permissions exist."""
    last = [config for config in apps.get_app_configs() if config.models_module is not None][-1]
    if sender is last:
        ensure_staff_groups()
