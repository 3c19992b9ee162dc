"""Writes of the partners app: every change takes an explicit ``actor``, runs in one transaction and
writes an audit event.

Modules: ``team`` (who may act on a partner's team, memberships and roles, deactivating a member),
``profile`` (the company profile, its addresses and logo), ``partners`` (what vendor staff do to a
partner: create it, (de)activate it, assign its CAMs, set its tier) and ``config`` (what vendor
staff configure for recruitment and onboarding); ``_common`` holds what they share. The names used
elsewhere are importable from the package.
"""

from .config import configuration_delete, configuration_save
from .partners import (
    partner_assign_cam,
    partner_create,
    partner_set_active,
    partner_set_tier,
    partner_share_dashboard,
    partner_unassign_cam,
    register,
)
from .profile import (
    ADDRESS_FIELDS,
    PROFILE_FIELDS,
    STAFF_PROFILE_FIELDS,
    clean_country,
    clean_email_domain,
    logo_reencode,
    partner_profile_update,
    partner_profile_validate,
)
from .team import (
    ROLE_RANK,
    authorize_team_action,
    membership_add,
    membership_change_role,
    membership_remove,
    membership_validate,
    team_member_deactivate,
)

__all__ = [
    "ADDRESS_FIELDS",
    "PROFILE_FIELDS",
    "ROLE_RANK",
    "STAFF_PROFILE_FIELDS",
    "authorize_team_action",
    "clean_country",
    "clean_email_domain",
    "configuration_delete",
    "configuration_save",
    "logo_reencode",
    "membership_add",
    "membership_change_role",
    "membership_remove",
    "membership_validate",
    "partner_assign_cam",
    "partner_create",
    "partner_profile_update",
    "partner_profile_validate",
    "partner_set_active",
    "partner_set_tier",
    "partner_share_dashboard",
    "partner_unassign_cam",
    "register",
    "team_member_deactivate",
]
