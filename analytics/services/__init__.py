"""Every write of the dashboards: the rollup of daily figures (``rollup``), the programs' dashboard
settings (``config``), the partners' activity and its alerts (``activity``), the weekly digests
(``digests``) and the saved views (``saved_views``)."""

from .config import analytics_program_settings_create, analytics_settings_save, program_analytics_settings
from .rollup import BATCH, CHUNK_DAYS, RECENT_DAYS, rollup, rollup_recent
from .saved_views import NAME_MAX, SavedViewRefused, saved_view_create, saved_view_delete

__all__ = [
    "BATCH",
    "CHUNK_DAYS",
    "NAME_MAX",
    "RECENT_DAYS",
    "SavedViewRefused",
    "analytics_program_settings_create",
    "analytics_settings_save",
    "program_analytics_settings",
    "rollup",
    "rollup_recent",
    "saved_view_create",
    "saved_view_delete",
]
