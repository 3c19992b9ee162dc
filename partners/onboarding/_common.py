"""What the onboarding modules share: the partner row, locked."""

from __future__ import annotations

from ..models import Partner


def _lock_partner(partner) -> Partner:
    return (
        Partner.objects.select_for_update(of=("self",))
        .select_related("program", "program__calendar")
        .get(pk=partner.pk)
    )
