"""The stall clock's handler and the notification kinds of onboarding."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.notifications.services import notify
from prm.sla.models import Deadline

from ..models import Partner
from .selectors import onboarding_state

STALL_KIND = "onboarding.stall"


def _on_stall_breach(deadline: Deadline) -> None:
    """No progress for the program's stall time: remind the partner admins, alert the CAMs."""
    from ..selectors import partner_admins, partner_cams

    partner = Partner.objects.select_related("program").filter(pk=deadline.object_id, is_active=True).first()
    if partner is None:
        return
    state = onboarding_state(partner)
    if state.complete:
        return
    params = {
        "partner": partner.name,
        "days": partner.program.onboarding_stall_days,
        "done": state.done,
        "total": state.total,
    }
    for admin_user in partner_admins(partner):
        notify(
            recipient=admin_user,
            kind="onboarding.stalled",
            dedupe_key=f"onboarding-stalled:{deadline.pk}:{admin_user.pk}",
            params=params,
            url=reverse("home"),
        )
    for cam in partner_cams(partner):
        notify(
            recipient=cam,
            kind="onboarding.stalled_cam",
            dedupe_key=f"onboarding-stalled-cam:{deadline.pk}:{cam.pk}",
            params=params,
            url=reverse("staff_partner_detail", args=[partner.pk]),
        )
    audit_record(actor=None, action="onboarding.stalled", obj=partner, data={"deadline": deadline.pk, **params})


def register() -> None:
    """Notification kinds and the stall handler (called from PartnersConfig.ready)."""
    from prm.notifications.kinds import register_kind
    from prm.sla.registry import register_handler

    register_handler(STALL_KIND, on_breach=_on_stall_breach)
    register_kind(
        "agreement.published",
        label=_("A new partner agreement needs my acceptance"),
        subject=_("Please accept version {version} of the partner agreement"),
        body=_(
            "A new version of the partner agreement was published. Until a partner administrator "
            "accepts it, your team can open only the acceptance page of the portal."
        ),
    )
    register_kind(
        "onboarding.stalled",
        label=_("Reminders about my onboarding checklist"),
        subject=_("Your onboarding checklist is waiting"),
        body=_(
            "{done} of {total} onboarding steps of {partner} are done, and nothing has moved for "
            "{days} business days. Open the portal to take the next step."
        ),
    )
    register_kind(
        "onboarding.stalled_cam",
        label=_("A partner's onboarding has stalled"),
        subject=_("Onboarding of {partner} has stalled"),
        body=_(
            "{partner} has completed {done} of {total} onboarding steps and has made no progress for {days} business days."
        ),
    )
