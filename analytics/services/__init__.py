"""Every write of the dashboards: the rollup of daily figures (``rollup``), the programs' dashboard
settings (``config``), the partners' activity and its alerts (``activity``), the weekly digests
(``digests``) and the saved views (``saved_views``)."""

from .activity import ActivityCheck, activity_check
from .config import (
    SETTINGS_FIELDS,
    analytics_program_settings_create,
    analytics_settings_update,
    analytics_settings_validate,
    program_analytics_settings,
)
from .digests import Digests, weekly_digests
from .rollup import BATCH, CHUNK_DAYS, RECENT_DAYS, rollup, rollup_recent
from .saved_views import NAME_MAX, SavedViewRefused, saved_view_create, saved_view_delete

__all__ = [
    "Digests",
    "weekly_digests",
    "ActivityCheck",
    "activity_check",
    "BATCH",
    "CHUNK_DAYS",
    "NAME_MAX",
    "RECENT_DAYS",
    "SavedViewRefused",
    "analytics_program_settings_create",
    "SETTINGS_FIELDS",
    "analytics_settings_update",
    "analytics_settings_validate",
    "program_analytics_settings",
    "rollup",
    "rollup_recent",
    "saved_view_create",
    "saved_view_delete",
]
