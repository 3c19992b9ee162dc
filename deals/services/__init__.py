"""Writes of deal registration: drafts, submission with conflict check, decision, protection, closing.

Clocks (platform SLA engine):
- ``deal.decision``: the decision is due ``decision_days`` business days after submission;
  reminders at 50% and 80% to the partner's CAMs; on breach the channel managers and the
  partner's users are told, and with ``auto_approve_on_breach`` a deal without conflict is
  approved. Requesting information pauses it; the answer resumes it.
- ``deal.protection``: runs on the program's business calendar from approval until the first
  business moment after ``protected_until`` (protection is in calendar days; the engine counts
  business time, so the duration is the business time between the two dates plus one second).
  Its reminders sit at the business-time fractions matching 14 and 3 calendar days before the
  end; its breach expires the deal. The customer is free from ``protected_until`` on in any case:
  protection is computed from the dates.

The package, by responsibility:

- ``registration``: drafts and their submission (the conflict check, the decision clock started);
- ``decisions``: the question to the partner, approval (and the second approval), rejection;
- ``protection``: the protection clock, the sales stage, closing, extensions, expiry;
- ``handlers``: what the two clocks do on a reminder and on a breach, and ``register()``;
- ``notices``: who is told, and how; ``config``: house accounts, program settings;
- ``_common``: the rules, the lock and the checks every write shares.

Importing from ``deals.services`` gives the writes of the deal workflow (the writes of what staff configure are
imported from ``deals.services.config``).
"""

from __future__ import annotations

from ..models import DECISION_KIND, PROTECTION_KIND
from ._common import MAX_AMOUNT
from .decisions import CONFLICT_REASON, deal_answer_info, deal_approve, deal_reject, deal_request_info
from .handlers import decision_breach, decision_reminder, protection_breach, protection_reminder, register
from .protection import (
    PROTECTION_REMINDER_DAYS,
    deal_close_lost,
    deal_close_won,
    deal_expire,
    deal_extension_decide,
    deal_request_extension,
    deal_update_progress,
)
from .registration import (
    DECISION_REMINDERS,
    DRAFT_FIELDS,
    LENGTH_LIMITS,
    deal_create_draft,
    deal_delete_draft,
    deal_submit,
    deal_update_draft,
)

__all__ = [
    "CONFLICT_REASON",
    "DECISION_KIND",
    "DECISION_REMINDERS",
    "DRAFT_FIELDS",
    "LENGTH_LIMITS",
    "MAX_AMOUNT",
    "PROTECTION_KIND",
    "PROTECTION_REMINDER_DAYS",
    "deal_answer_info",
    "deal_approve",
    "deal_close_lost",
    "deal_close_won",
    "deal_create_draft",
    "deal_delete_draft",
    "deal_expire",
    "deal_extension_decide",
    "deal_reject",
    "deal_request_extension",
    "deal_request_info",
    "deal_submit",
    "deal_update_draft",
    "deal_update_progress",
    "decision_breach",
    "decision_reminder",
    "protection_breach",
    "protection_reminder",
    "register",
]
