"""The programs' dashboard settings: made with each program, changed by the channel manager."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.config_writes import apply_changes, require_staff_permission
from prm.errors import ServiceError

from ..models import ProgramAnalyticsSettings

INACTIVITY_DAYS_MIN = 7
INACTIVITY_DAYS_MAX = 365
SETTINGS_FIELDS = ("inactivity_days",)


def program_analytics_settings(program_id: int) -> ProgramAnalyticsSettings:
    """A program's settings; a program without its row reads the defaults. Writes nothing."""
    found = ProgramAnalyticsSettings.objects.filter(program_id=program_id).first()
    return found if found is not None else ProgramAnalyticsSettings(program_id=program_id)


def analytics_program_settings_create(*, program) -> ProgramAnalyticsSettings:
    """The settings row of a new program, with the defaults (made with the program)."""
    return ProgramAnalyticsSettings.objects.get_or_create(program=program)[0]


def analytics_settings_validate(*, inactivity_days) -> None:
    """Refuse a number of days outside 7–365 (a week at least: a partner may take a holiday)."""
    if inactivity_days is None or not INACTIVITY_DAYS_MIN <= inactivity_days <= INACTIVITY_DAYS_MAX:
        raise ServiceError(
            _("Choose between %(low)s and %(high)s days.") % {"low": INACTIVITY_DAYS_MIN, "high": INACTIVITY_DAYS_MAX},
            field="inactivity_days",
        )


@transaction.atomic
def analytics_settings_update(
    *, actor, settings: ProgramAnalyticsSettings, inactivity_days
) -> ProgramAnalyticsSettings:
    """Change a program's settings; the change is audited. The next hourly check applies it."""
    require_staff_permission(
        actor, "analytics.change_programanalyticssettings", _("You may not change the dashboard settings.")
    )
    analytics_settings_validate(inactivity_days=inactivity_days)
    settings = ProgramAnalyticsSettings.objects.select_for_update().get(pk=settings.pk)
    changes = apply_changes(settings, {"inactivity_days": inactivity_days})
    if changes:
        settings.save(update_fields=list(changes))
        audit_record(
            actor=actor,
            action="analytics_settings.changed",
            obj=settings,
            reason=", ".join(sorted(changes)),
            data=changes,
        )
    return settings
