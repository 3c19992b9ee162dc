"""The cards of the admin home for deal registrations: the first decisions and the second approvals
that wait on the user (``prm.admin_queue``), read through ``deals.selectors``."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from prm.admin_queue import QueueCard, clocked_items, register_queue_card

from ..selectors import deals_awaiting_decision, deals_awaiting_second_approval


def _card(user, *, key, title, deals, filters, empty_text):
    deals = deals.select_related("partner")
    return QueueCard(
        key=key,
        title=title,
        icon="briefcase",
        count=deals.count(),
        items=clocked_items(
            deals,
            label=lambda deal: deal.customer_company,
            detail=lambda deal: deal.partner.name,
            url=lambda deal: reverse("admin:deals_deal_change", args=[deal.pk]),
            since="submitted_at",
        ),
        more_url=f"{reverse('admin:deals_deal_changelist')}?{urlencode(filters)}",
        empty_text=empty_text,
    )


def decisions_card(user):
    if not user.has_perm("deals.approve_deal"):
        return None
    return _card(
        user,
        key="deals.decisions",
        title=_("Deals awaiting your decision"),
        deals=deals_awaiting_decision(user),
        filters={"status__exact": "submitted", "second": "no"},
        empty_text=_("No registration waits on your decision."),
    )


def second_approvals_card(user):
    if not user.has_perm("deals.approve_deal_second"):
        return None
    return _card(
        user,
        key="deals.second_approvals",
        title=_("Second approvals"),
        deals=deals_awaiting_second_approval(user),
        filters={"status__exact": "submitted", "second": "yes"},
        empty_text=_("No large registration waits on a second approval from you."),
    )


register_queue_card("deals.decisions", decisions_card, order=10)
register_queue_card("deals.second_approvals", second_approvals_card, order=20)
