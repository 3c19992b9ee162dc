"""The programs' dashboard settings: made with each program, changed by the channel manager."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.config_writes import require_staff_permission
from prm.errors import ServiceError

from ..models import ProgramAnalyticsSettings

INACTIVITY_DAYS_MIN = 7
INACTIVITY_DAYS_MAX = 365


def program_analytics_settings(program_id: int) -> ProgramAnalyticsSettings:
    """A program's settings; a program without its row reads the defaults. Writes nothing."""
    found = ProgramAnalyticsSettings.objects.filter(program_id=program_id).first()
    return found if found is not None else ProgramAnalyticsSettings(program_id=program_id)


def analytics_program_settings_create(*, program) -> ProgramAnalyticsSettings:
    """The settings row of a new program, with the defaults (made with the program)."""
    return ProgramAnalyticsSettings.objects.get_or_create(program=program)[0]


def settings_problems(values: dict) -> dict:
    """A message per field whose value the settings refuse."""
    days = values.get("inactivity_days")
    if days is None or not INACTIVITY_DAYS_MIN <= days <= INACTIVITY_DAYS_MAX:
        return {
            "inactivity_days": _("Choose between %(low)s and %(high)s days.")
            % {"low": INACTIVITY_DAYS_MIN, "high": INACTIVITY_DAYS_MAX}
        }
    return {}


@transaction.atomic
def analytics_settings_save(*, actor, settings: ProgramAnalyticsSettings, changes: dict) -> ProgramAnalyticsSettings:
    """Save a program's settings; ``changes`` maps each changed field to [before, after] for the trail."""
    require_staff_permission(
        actor, "analytics.change_programanalyticssettings", _("You may not change the dashboard settings.")
    )
    problems = settings_problems({"inactivity_days": settings.inactivity_days})
    if problems:
        raise ServiceError(next(iter(problems.values())))
    settings.save()
    if changes:
        audit_record(
            actor=actor,
            action="analytics_settings.changed",
            obj=settings,
            reason=", ".join(sorted(changes)),
            data=changes,
        )
    return settings
