"""The card of the admin home for lead distribution: the leads of the vendor pool that wait to be
placed (``prm.admin_queue``), read through ``leads.selectors``."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from prm.admin_queue import QueueCard, clocked_items, register_queue_card

from ..selectors import leads_to_place, places_pool_leads


def pool_card(user):
    if not places_pool_leads(user):
        return None
    leads = leads_to_place(user)
    return QueueCard(
        key="leads.pool",
        title=_("Leads to place"),
        icon="target",
        count=leads.count(),
        items=clocked_items(
            leads,
            label=lambda lead: lead.company,
            detail=lambda lead: lead.country,
            url=lambda lead: reverse("admin:leads_lead_change", args=[lead.pk]),
        ),
        more_url=f"{reverse('admin:leads_lead_changelist')}?{urlencode({'status__exact': 'pool'})}",
        empty_text=_("The vendor pool is empty."),
    )


register_queue_card("leads.pool", pool_card, order=40)
