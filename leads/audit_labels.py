from django.utils.translation import gettext_lazy as _

from leads.models import LeadImportState, LeadStatus
from prm.audit.labels import register_actions, register_states

register_actions(
    {
        "lead.created": _("Lead created"),
        "lead.offered": _("Lead offered"),
        "lead.batch_assigned": _("Leads assigned by the rules"),
        "lead.reassigned": _("Lead reassigned"),
        "lead.unmatched": _("No partner matched"),
        "lead.returned_to_pool": _("Lead returned to the pool"),
        "lead.lapsed": _("Offer lapsed"),
        "lead.accepted": _("Lead accepted"),
        "lead.declined": _("Lead declined"),
        "lead.contacted": _("Lead contacted"),
        "lead.qualified": _("Lead qualified"),
        "lead.converted": _("Lead converted"),
        "lead.lost": _("Lead lost"),
        "lead.import_started": _("Lead import started"),
        "lead.import_resumed": _("Lead import resumed"),
        "lead.imported": _("Leads imported"),
        "lead.import_done": _("Lead import finished"),
        "lead.import_failed": _("Lead import failed"),
        "lead_rule.created": _("Routing rule created"),
        "lead_rule.changed": _("Routing rule changed"),
        "lead_rule.deleted": _("Routing rule deleted"),
        "lead_settings.changed": _("Lead distribution settings changed"),
        "partner_location.created": _("Partner location created"),
        "partner_location.changed": _("Partner location changed"),
    }
)

register_states("lead", LeadStatus.choices)
for _action in (
    "lead.import_started",
    "lead.import_resumed",
    "lead.imported",
    "lead.import_done",
    "lead.import_failed",
):
    register_states(_action, LeadImportState.choices)
