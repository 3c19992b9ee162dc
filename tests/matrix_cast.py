"""The cast of the authorization matrix and the helpers that write its expected outcomes.

``tests/test_authorization_matrix.py`` and the per-app entries (``tests/<app>/matrix``) import this
module; none of them imports another.

An outcome is an HTTP status or where the first redirect goes: ``redirect-login`` (the login
page), ``redirect-admin-login`` (the admin's login gate, which answers 403 to partner users),
``redirect-mfa-setup`` (TOTP set-up) or ``redirect`` (anywhere else).

The cast: anonymous, partner A's admin and sales user, partner B's user, the CAM of partner A, the
CAM of partner B, the channel manager, the executive, and the staff of channel acquisition,
channel marketing and channel training. The last three see every partner, like the executive, and
hold what their apps grant them (``*/roles.py``): in :func:`row` and :func:`admin_row` they answer
like the executive unless their outcome is given by name.
"""

from __future__ import annotations

ROLES = (
    "anonymous",
    "partner_a_admin",
    "partner_a_sales",
    "partner_b_user",
    "cam_a",
    "cam_other",
    "channel_manager",
    "executive",
    "acquisition",
    "marketing",
    "training",
)
PARTNER_ROLES = ("partner_a_admin", "partner_a_sales", "partner_b_user")
STAFF_ROLES = ("cam_a", "cam_other", "channel_manager", "executive", "acquisition", "marketing", "training")
# Staff roles that see every partner and are named only where they answer unlike the executive.
SEE_ALL_ROLES = ("acquisition", "marketing", "training")
# Keyword outcomes for a page none of them is granted.
SEE_ALL_REFUSED = dict.fromkeys(SEE_ALL_ROLES, 403)

LOGIN = "redirect-login"
ADMIN_LOGIN = "redirect-admin-login"
MFA_SETUP = "redirect-mfa-setup"
REDIRECT = "redirect"


def row(*outcomes, acquisition=None, marketing=None, training=None):
    """Outcomes in the order of ROLES up to the executive; the see-all roles answer like the
    executive unless given."""
    outcomes = dict(zip(ROLES[:8], outcomes, strict=True))
    named = {"acquisition": acquisition, "marketing": marketing, "training": training}
    return {**outcomes, **{role: outcomes["executive"] if got is None else got for role, got in named.items()}}


def everyone(outcome):
    return dict.fromkeys(ROLES, outcome)


def signed_in(outcome, anonymous=LOGIN):
    return {**everyone(outcome), "anonymous": anonymous}


def admin_row(cam_a, cam_other, channel_manager, executive, **see_all):
    """An admin page: anonymous and partner users are stopped at the admin's login gate."""
    return row(
        ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, ADMIN_LOGIN, cam_a, cam_other, channel_manager, executive, **see_all
    )


def admin_staff(outcome):
    return admin_row(outcome, outcome, outcome, outcome)


# The bare /<id>/ address of an admin object redirects to its change page, for every staff role.
OBJECT = admin_staff(REDIRECT)


def cast_people(world) -> dict:
    """The world of tests/conftest.py with the staff of acquisition, marketing and training added."""
    from partners.roles import StaffRole
    from tests.factories import staff_user

    return {
        **world,
        "acquisition": staff_user(StaffRole.ACQUISITION),
        "marketing": staff_user(StaffRole.MARKETING),
        "training": staff_user(StaffRole.TRAINING),
    }
