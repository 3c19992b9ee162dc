"""The card of the admin home for recruitment: the applications that wait on a review
(``prm.admin_queue``), read through ``partners.recruitment.selectors``."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from prm.admin_queue import QueueCard, clocked_items, register_queue_card
from prm.countries import country_name

from ..recruitment.selectors import applications_to_review


def applications_card(user):
    if not user.has_perm("partners.review_application"):
        return None
    applications = applications_to_review(user)
    return QueueCard(
        key="partners.applications",
        title=_("Applications to review"),
        icon="user-plus",
        count=applications.count(),
        items=clocked_items(
            applications,
            label=lambda application: application.company_name,
            detail=lambda application: country_name(application.country),
            url=lambda application: reverse("admin:partners_application_change", args=[application.pk]),
        ),
        more_url=f"{reverse('admin:partners_application_changelist')}?{urlencode({'status__exact': 'submitted'})}",
        empty_text=_("No application waits on a review."),
    )


register_queue_card("partners.applications", applications_card, order=30)
