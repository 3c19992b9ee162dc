"""Writes of lead distribution: intake, routing, acceptance, the lifecycle and conversion into a deal.

Every service takes keyword arguments with an explicit ``actor`` (None: the system — the rules, the
sweeper), runs in one transaction, locks the lead it changes, checks ``LEAD_TRANSITIONS``, writes an
audit event and schedules notifications through the outbox.

Clocks (platform SLA engine):
- ``lead.acceptance``: ``acceptance_days`` business days from the offer; reminders at 50% and 80%
  to the partner's sales users; on breach the offer lapses and the lead is offered to the next
  candidate of the rules (partners that declined or let it lapse are left out). After
  ``max_reassignments`` reassignments, or when no candidate is left, it returns to the vendor
  pool and the channel managers are alerted.
- ``lead.first_contact``: from acceptance, ``first_contact_days_<rating>`` business days (A: 2,
  B and C: 5 by default); met when the partner marks the lead contacted; reminders to the
  partner's sales users, and on breach the partner is reminded and its CAMs are alerted.

Locks: a routing run (single lead or batch) holds a transaction-level advisory lock, so the
engine's state (capacity counts, round-robin cursors) is read and moved by one run at a time. A
batch claims its leads with ``SELECT ... FOR UPDATE SKIP LOCKED`` after taking it, so it never waits
on a lead a user is changing; single-lead services lock the lead first and then take the routing
lock. The partial unique constraint ``leadassign_one_current_per_lead`` is the final guarantee.

The package, by responsibility: ``intake`` (the fields of a lead, a new lead), ``routing`` (placing
leads with the rules, the staff's reassignments), ``lifecycle`` (the partner's answer, the lead's
progress, conversion), ``sla_handlers`` (the clocks' reminders and breaches), ``config`` (rules,
program settings, partner locations); ``_offers`` and ``_common`` hold what they share.
"""

from ._common import REMINDERS, ROUTING_LOCK_KEY
from .config import (
    CLOCK_DAY_FIELDS,
    assignment_rule_delete,
    assignment_rule_save,
    lead_settings_save,
    location_problems,
    partner_location_save,
    program_settings,
    program_settings_cache,
    settings_problems,
)
from .intake import LEAD_FIELDS, LENGTH_LIMITS, clean_lead_fields, lead_create
from .lifecycle import ADVANCE_STATUSES, lead_accept, lead_advance, lead_convert, lead_decline, lead_mark_lost
from .routing import (
    BatchResult,
    PoolLead,
    lead_assign_by_rules,
    lead_assign_manually,
    lead_reassign,
    lead_return_to_pool,
    leads_assign_batch,
    leads_assign_pool,
)
from .sla_handlers import acceptance_breach, acceptance_reminder, first_contact_breach, first_contact_reminder, register

__all__ = [
    "ADVANCE_STATUSES",
    "CLOCK_DAY_FIELDS",
    "LEAD_FIELDS",
    "LENGTH_LIMITS",
    "REMINDERS",
    "ROUTING_LOCK_KEY",
    "BatchResult",
    "PoolLead",
    "acceptance_breach",
    "acceptance_reminder",
    "assignment_rule_delete",
    "assignment_rule_save",
    "clean_lead_fields",
    "first_contact_breach",
    "first_contact_reminder",
    "lead_accept",
    "lead_advance",
    "lead_assign_by_rules",
    "lead_assign_manually",
    "lead_convert",
    "lead_create",
    "lead_decline",
    "lead_mark_lost",
    "lead_reassign",
    "lead_return_to_pool",
    "lead_settings_save",
    "leads_assign_batch",
    "leads_assign_pool",
    "location_problems",
    "partner_location_save",
    "program_settings",
    "program_settings_cache",
    "register",
    "settings_problems",
]
