"""Reads of the partners app, scoped to the viewer.

Modules: ``partners`` (partners, their admins and CAMs, a partner user's own partner, the audit
trail of a partner) and ``team`` (a partner's members and open invitations, a member's status).
The names used elsewhere are importable from the package.
"""

from .partners import (
    my_partner_or_404,
    partner_admins,
    partner_cams,
    partner_currency,
    partner_of,
    partner_trail,
    partners_visible,
    partners_with_counts,
    require_partner_admin,
)
from .team import MemberStatus, member_status, team_invitations, team_members

__all__ = [
    "MemberStatus",
    "member_status",
    "my_partner_or_404",
    "partner_admins",
    "partner_cams",
    "partner_currency",
    "partner_of",
    "partner_trail",
    "partners_visible",
    "partners_with_counts",
    "require_partner_admin",
    "team_invitations",
    "team_members",
]
