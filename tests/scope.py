"""Which partners of the `world` fixture each role may see (the tenancy rule, as data)."""

VISIBLE_PARTNERS = {
    "partner_a_admin": {"partner_a"},
    "partner_a_sales": {"partner_a"},
    "partner_b_user": {"partner_b"},
    "cam_a": {"partner_a"},
    "cam_other": {"partner_b"},
    "channel_manager": {"partner_a", "partner_b"},
    "executive": {"partner_a", "partner_b"},
}
