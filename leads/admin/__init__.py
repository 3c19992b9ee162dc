"""Lead distribution in the admin: the leads with their clocks, the routing actions and "why this partner?".

The admin only reads (the scoped queryset, ``leads.selectors``) and calls ``leads.services``; no rule
of routing or of the lead's lifecycle lives here.

- Leads: staff who may (``leads.add_lead``) create a lead with a form validated by
  ``clean_lead_fields`` and saved by ``lead_create``; nobody edits fields or deletes a lead. The
  routing actions (assign by the rules, reassign, return to the pool) are changelist actions with a
  confirmation form and buttons on the change page (custom URLs ``admin:leads_lead_assign``,
  ``..._reassign``, ``..._return``, POST only, ``leads.assign_lead``). A refusal of the service is an
  error message for that lead, never a 500.
- A CAM sees the leads held by the partners assigned to them (``Lead.objects.visible_to``): pool
  leads are the channel managers'.
- The clock column reads the acceptance and first-contact clocks of the page's leads (one query each,
  ``prm.sla.latest``) and the calendars once per page, so the changelist's query count does not grow
  with rows.
- Assignment rules and the program's lead settings: the channel manager edits them, the others read.

The package: ``leads`` (the lead admin and its actions) with its ``clocks``, ``filters``, ``forms`` and
``explanation``; ``config`` (rules, settings, partner locations).
"""

from . import queue  # noqa: F401 - registers the admin home's cards
from .clocks import clock_badge
from .config import AssignmentRuleAdmin, LeadProgramSettingsAdmin, PartnerLocationAdmin
from .leads import LeadAdmin

__all__ = ["AssignmentRuleAdmin", "LeadAdmin", "LeadProgramSettingsAdmin", "PartnerLocationAdmin", "clock_badge"]
