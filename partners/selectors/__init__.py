"""Reads of the partners app, scoped to the viewer.

Modules: ``partners`` (partners, the staff list of partners, their admins and CAMs, a partner user's own partner, the audit
trail of a partner) and ``team`` (a partner's members and open invitations, a member's status).
The names used elsewhere are importable from the package.
"""

from .partners import (
    LIST_SORTS,
    ONBOARDING_FILTERS,
    STATUS_FILTERS,
    PeerGroup,
    all_partner_ids,
    all_peer_groups,
    my_partner_or_404,
    partner_admins,
    partner_cams,
    partner_currency,
    partner_ids_visible,
    partner_list_choices,
    partner_names_visible,
    partner_of,
    partner_trail,
    partners_by_ids,
    partners_visible,
    partners_with_counts,
    peer_group,
    require_partner_admin,
    staff_partner_list,
)
from .team import MemberStatus, member_status, partner_role_choices, team_invitations, team_members

__all__ = [
    "LIST_SORTS",
    "PeerGroup",
    "all_partner_ids",
    "all_peer_groups",
    "peer_group",
    "ONBOARDING_FILTERS",
    "STATUS_FILTERS",
    "MemberStatus",
    "member_status",
    "my_partner_or_404",
    "partner_admins",
    "partner_cams",
    "partner_currency",
    "partner_list_choices",
    "partner_names_visible",
    "partner_role_choices",
    "partner_ids_visible",
    "partner_of",
    "partners_by_ids",
    "partner_trail",
    "partners_visible",
    "partners_with_counts",
    "require_partner_admin",
    "staff_partner_list",
    "team_invitations",
    "team_members",
]
