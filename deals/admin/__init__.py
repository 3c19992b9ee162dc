"""Deal registration in the admin: channel managers and CAMs decide on registrations against the SLA clock.

The admin only reads (through the scoped queryset and the selectors) and calls the services of
``deals.services`` (what staff configure through ``deals.services.config``); no rule of the workflow lives here.

- Deals: no add, no edit, no delete. Decisions are buttons on the change page (custom URLs
  ``admin:deals_deal_approve``, ``..._reject``, ``..._request_info``, ``..._extension``, POST only)
  and changelist actions with a confirmation form. A refusal of the service (``ServiceError`` or
  ``PermissionDenied``) becomes an error message for that deal; a deal that changed since the page
  was shown (a double click, two approvers) says so and nothing changes, because the service locks
  the row and checks the transition.
- The SLA badge of the decision clock comes from one correlated sub-query per column, the
  partner's CAMs from an array sub-query: the changelist's query count does not grow with rows.

The package: ``deal`` (the deal admin), ``forms`` (its decision forms), ``filters`` (the changelist's decision
clock, CAMs and filters), ``config`` (house accounts, program settings). Importing it
registers them all.
"""

from . import queue  # noqa: F401 - registers the admin home's cards
from .config import (
    DealProgramSettingsAdmin,
    DealProgramSettingsForm,
    HouseAccountAdmin,
    HouseAccountForm,
)
from .deal import DealAdmin
from .filters import SecondApprovalFilter, SlaState, SlaStateFilter, StatusFilter, with_cams, with_decision_clock
from .forms import ApproveForm, ExtensionForm, RejectForm, RequestInfoForm

__all__ = [
    "ApproveForm",
    "DealAdmin",
    "DealProgramSettingsAdmin",
    "DealProgramSettingsForm",
    "ExtensionForm",
    "HouseAccountAdmin",
    "HouseAccountForm",
    "RejectForm",
    "RequestInfoForm",
    "SecondApprovalFilter",
    "SlaState",
    "SlaStateFilter",
    "StatusFilter",
    "with_cams",
    "with_decision_clock",
]
