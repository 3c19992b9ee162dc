from django.utils.translation import gettext_lazy as _

from deals.models import DealStatus
from prm.audit.labels import register_actions, register_states

register_actions(
    {
        "deal.created": _("Registration created"),
        "deal.updated": _("Draft edited"),
        "deal.deleted": _("Draft deleted"),
        "deal.submitted": _("Submitted for approval"),
        "deal.auto_approve_failed": _("Automatic approval failed"),
        "deal.info_requested": _("More information requested"),
        "deal.info_answered": _("Information sent"),
        "deal.first_approval": _("First approval given"),
        "deal.approved": _("Approved"),
        "deal.rejected": _("Rejected"),
        "deal.conflicts_rejected": _("Conflicting registrations rejected"),
        "deal.progress_updated": _("Stage or amount updated"),
        "deal.won": _("Closed as won"),
        "deal.lost": _("Closed as lost"),
        "deal.extension_requested": _("Protection extension requested"),
        "deal.extension_approved": _("Protection extension approved"),
        "deal.extension_rejected": _("Protection extension refused"),
        "deal.expired": _("Protection ended"),
        "deal_settings.changed": _("Deal registration settings changed"),
        "house_account.created": _("House account created"),
        "house_account.changed": _("House account changed"),
        "house_account.deleted": _("House account deleted"),
    }
)

register_states("deal", DealStatus.choices)
