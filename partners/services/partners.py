"""Writes of a partner by vendor staff: creating one by hand, activating and deactivating it,
assigning its channel account managers, moving it to another tier."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from guardian.shortcuts import assign_perm, remove_perm

from prm.accounts.services import user_end_sessions
from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.notifications.services import notify
from prm.tenancy import is_vendor_staff, sees_all_partners

from ..models import Partner, Tier
from ..roles import StaffRole
from ..selectors import partner_admins
from .profile import partner_profile_validate


@transaction.atomic
def partner_create(*, actor, data: dict) -> Partner:
    """A partner made by hand by vendor staff who see every partner (recruitment makes the others)."""
    from ..recruitment import normalize_company_name, normalize_tax_id

    if not (actor is not None and sees_all_partners(actor) and actor.has_perm("partners.add_partner")):
        raise PermissionDenied
    values = partner_profile_validate(actor=actor, partner=Partner(), data=data)
    if not {"program", "name", "country"} <= set(values):
        raise ServiceError(_("Enter the company name."), field="name")
    specialties = values.pop("specialties", None)
    partner = Partner(**values)
    partner.name_normalized = normalize_company_name(partner.name)
    partner.tax_id_normalized = normalize_tax_id(partner.tax_id)
    partner.save()
    if specialties:
        partner.specialties.set(specialties)
    audit_record(actor=actor, action="partner.created", obj=partner, reason=", ".join(data))
    return partner


@transaction.atomic
def partner_assign_cam(*, actor, partner: Partner, cam) -> None:
    if not cam.is_staff or not cam.groups.filter(name=StaffRole.CAM).exists():
        raise ServiceError(_("Only a channel account manager can be assigned to a partner."), field="cam")
    assign_perm("partners.manage_partner", cam, partner)
    audit_record(actor=actor, action="partner.cam_assigned", obj=partner, to_state=cam.email)


@transaction.atomic
def partner_unassign_cam(*, actor, partner: Partner, cam) -> None:
    remove_perm("partners.manage_partner", cam, partner)
    audit_record(actor=actor, action="partner.cam_unassigned", obj=partner, from_state=cam.email)


@transaction.atomic
def partner_set_active(*, actor, partner: Partner, active: bool, reason: str = "") -> Partner:
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.is_active == active:
        return partner
    partner.is_active = active
    partner.save(update_fields=["is_active"])
    audit_record(
        actor=actor,
        action="partner.activated" if active else "partner.deactivated",
        obj=partner,
        from_state="inactive" if active else "active",
        to_state="active" if active else "inactive",
        reason=reason,
    )
    if not active:
        for membership in partner.memberships.select_related("user"):
            user_end_sessions(user=membership.user)
    return partner


@transaction.atomic
def partner_set_tier(*, actor, partner: Partner, tier: Tier, reason: str) -> Partner:
    """Moves a partner to a tier of its program, by hand, with a reason. Channel managers only."""
    if not (is_vendor_staff(actor) and actor.has_perm("partners.set_tier")):
        raise PermissionDenied(_("Only a channel manager can set a partner's tier."))
    if not Partner.objects.visible_to(actor).filter(pk=partner.pk).exists():
        raise Http404
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give the reason for the change of tier."), field="reason")
    partner = Partner.objects.select_for_update(of=("self",)).select_related("tier").get(pk=partner.pk)
    if tier is None or tier.program_id != partner.program_id:
        raise ServiceError(_("Choose a tier of the partner's program."), field="tier")
    if partner.tier_id == tier.pk:
        raise ServiceError(_("The partner is in this tier already."), field="tier")
    old = partner.tier
    partner.tier = tier
    partner.save(update_fields=["tier"])
    event = audit_record(
        actor=actor,
        action="partner.tier_changed",
        obj=partner,
        from_state=old.name if old else "",
        to_state=tier.name,
        reason=reason,
        data={"from_tier": old.pk if old else None, "to_tier": tier.pk},
    )
    for admin_user in partner_admins(partner):
        notify(
            recipient=admin_user,
            kind="partner.tier_changed",
            dedupe_key=f"audit:{event.pk}:{admin_user.pk}",
            params={"tier": tier.pk, "reason": reason},
            url="/",
        )
    return partner


def _tier_params(params: dict) -> dict:
    tier = Tier.objects.filter(pk=params.get("tier")).first()
    return {**params, "tier": tier.tr("name") if tier else ""}


def register() -> None:
    from prm.notifications.kinds import register_kind

    register_kind(
        "partner.tier_changed",
        label=_("My company's tier changes"),
        subject=_("Your company is now in the {tier} tier"),
        body=_("Your channel manager moved your company to the {tier} tier.\n\nReason: {reason}"),
        prepare=_tier_params,
    )


@transaction.atomic
def partner_share_dashboard(*, actor, partner: Partner, shared: bool) -> Partner:
    """A partner admin shares the company's dashboard with the sales and marketing users, or stops."""
    from prm.tenancy import membership_of

    membership = membership_of(actor)
    if membership is None or membership.partner_id != partner.pk or membership.role != "admin":
        raise PermissionDenied(_("Only a partner admin can share the dashboard."))
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.dashboard_shared == bool(shared):
        return partner
    partner.dashboard_shared = bool(shared)
    partner.save(update_fields=["dashboard_shared"])
    audit_record(
        actor=actor,
        action="partner.dashboard_shared" if shared else "partner.dashboard_unshared",
        obj=partner,
        from_state="private" if shared else "shared",
        to_state="shared" if shared else "private",
    )
    return partner
