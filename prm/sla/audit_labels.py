from django.utils.translation import gettext_lazy as _

from prm.audit.labels import register_actions, register_states
from prm.sla.models import DeadlineState

register_actions(
    {
        "sla.started": _("Clock started"),
        "sla.paused": _("Clock paused"),
        "sla.resumed": _("Clock resumed"),
        "sla.met": _("Clock met"),
        "sla.cancelled": _("Clock cancelled"),
        "sla.reminder": _("Clock reminder sent"),
        "sla.reminders_skipped": _("Clock reminders skipped"),
        "sla.breached": _("Clock breached"),
    }
)

register_states("sla", DeadlineState.choices)
