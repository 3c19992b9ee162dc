"""The partner agreement: staff publish a version, a partner admin accepts it."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record, current_ip
from prm.errors import ServiceError
from prm.notifications.services import notify

from ..models import AgreementAcceptance, AgreementVersion, Membership, Partner, PartnerRole, Program
from ._common import _lock_partner
from .checklist import onboarding_evaluate
from .selectors import current_agreement


def _is_partner_admin(user, partner) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and Membership.objects.filter(user_id=user.pk, partner_id=partner.pk, role=PartnerRole.ADMIN).exists()
    )


@transaction.atomic
def agreement_publish(*, actor, version: AgreementVersion) -> AgreementVersion:
    """Publish a version: it becomes the current one, and every partner must accept it."""
    if not (
        getattr(actor, "is_authenticated", False)
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("partners.change_agreementversion")
    ):
        raise ServiceError(_("You may not publish the partner agreement."))
    # The program lock serialises two publications of the same program.
    Program.objects.select_for_update().get(pk=version.program_id)
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.published_at is not None:
        raise ServiceError(_("This version is already published."))
    if not version.text_en.strip():
        raise ServiceError(_("Write the English text before publishing."), field="text_en")
    current = current_agreement(version.program_id)
    if current is not None and current.version > version.version:
        raise ServiceError(
            _("Version %(current)s is already published. Publish a version with a higher number.")
            % {"current": current.version}
        )
    version.published_at = timezone.now()
    version.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="agreement.published",
        obj=version,
        from_state="draft",
        to_state="published",
        data={"program": version.program_id, "version": version.version},
    )
    admins = Membership.objects.filter(
        partner__program_id=version.program_id,
        partner__is_active=True,
        role=PartnerRole.ADMIN,
        user__is_active=True,
    ).select_related("user")
    for membership in admins:
        notify(
            recipient=membership.user,
            kind="agreement.published",
            dedupe_key=f"agreement-published:{version.pk}:{membership.user_id}",
            params={"version": version.version},
            url=reverse("agreement"),
        )
    return version


@transaction.atomic
def agreement_accept(*, actor, partner: Partner, version: AgreementVersion) -> AgreementAcceptance:
    """A partner admin accepts the current version for their partner (user, time, IP, version).

    Accepting a version that is already accepted returns the existing acceptance.
    """
    if not _is_partner_admin(actor, partner):
        raise ServiceError(_("Only a partner administrator of this partner can accept the agreement."))
    partner = _lock_partner(partner)
    if not partner.is_active:
        raise ServiceError(_("This partner is inactive."))
    current = current_agreement(partner.program_id)
    if current is None or current.pk != version.pk:
        raise ServiceError(_("This is not the current version of the partner agreement."))
    existing = AgreementAcceptance.objects.filter(partner=partner, version=current).first()
    if existing is not None:
        return existing
    acceptance = AgreementAcceptance.objects.create(partner=partner, version=current, user=actor, ip=current_ip.get())
    audit_record(
        actor=actor,
        action="agreement.accepted",
        obj=acceptance,
        to_state="accepted",
        data={"version": current.version},
    )
    onboarding_evaluate(partner=partner, actor=actor)
    return acceptance
