"""What the partner services share."""

from ..models import Partner


def _lock_partner(partner_id: int) -> Partner:
    """Locks the partner row: team changes of one partner happen one at a time."""
    return Partner.objects.select_for_update().get(pk=partner_id)
