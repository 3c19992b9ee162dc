"""The review clock's handlers and the notification kinds of recruitment."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext_lazy as _

from prm.countries import country_name
from prm.notifications.services import notify

from ..models import Application, ApplicationStatus
from ..roles import StaffRole
from ._common import REVIEW_KIND, _admin_url
from .selectors import staff_with_role


def _open_application(deadline) -> Application | None:
    if deadline.content_type_id != ContentType.objects.get_for_model(Application).pk:
        return None
    return Application.objects.filter(pk=deadline.object_id, status=ApplicationStatus.SUBMITTED).first()


def review_reminder(deadline, fraction) -> None:
    """Part of the review time has passed: every active channel acquisition user hears of it."""
    application = _open_application(deadline)
    if application is None:
        return
    for user in staff_with_role(StaffRole.ACQUISITION):
        notify(
            recipient=user,
            kind="application.review_reminder",
            dedupe_key=f"deadline:{deadline.pk}:reminder:{fraction}:{user.pk}",
            params={"company": application.company_name, "percent": round(float(fraction) * 100)},
            url=_admin_url(application),
        )


def review_breach(deadline) -> None:
    """The review time ran out: the channel managers are told (escalation)."""
    application = _open_application(deadline)
    if application is None:
        return
    for user in staff_with_role(StaffRole.CHANNEL_MANAGER):
        notify(
            recipient=user,
            kind="application.review_overdue",
            dedupe_key=f"deadline:{deadline.pk}:breach:{user.pk}",
            params={"company": application.company_name},
            url=_admin_url(application),
        )


def register() -> None:
    """Notification kinds and SLA handlers of recruitment; called from PartnersConfig.ready()."""
    from prm.notifications.kinds import register_kind
    from prm.sla.registry import register_handler

    register_kind(
        "application.received",
        label=_("My application to the partner program arrived"),
        subject=_("We received your application, {company}"),
        body=_(
            "Thank you for applying to our partner program. Our channel team reviews every "
            "application within {days} business days and will write to you at this address."
        ),
    )
    register_kind(
        "application.rejected",
        label=_("A decision on my application to the partner program"),
        subject=_("Your application to the partner program, {company}"),
        body=_(
            "Thank you for your interest in our partner program. After review, we cannot accept "
            "your application at this time.\n\nReason: {reason}"
        ),
    )
    register_kind(
        "application.new",
        label=_("A new application to the partner program"),
        subject=_("New application to the partner program: {company}"),
        body=_(
            "{company} ({country}) applied to the partner program. Review it within {days} business days: "
            "tick the minimum criteria, then approve or reject it."
        ),
        prepare=lambda params: {**params, "country": country_name(params.get("country", ""))},
    )
    register_kind(
        "application.review_reminder",
        label=_("An application awaits review"),
        subject=_("Application from {company} awaits review"),
        # xgettext:no-python-format
        body=_("{percent}% of the review time of the application from {company} has passed. Approve or reject it."),
    )
    register_kind(
        "application.review_overdue",
        label=_("An application was not reviewed in time"),
        subject=_("Overdue: application from {company}"),
        body=_("The review time of the application from {company} has run out and it is still undecided."),
    )
    register_handler(REVIEW_KIND, on_reminder=review_reminder, on_breach=review_breach)
