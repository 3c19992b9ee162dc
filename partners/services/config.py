"""Writes of what vendor staff configure for recruitment and onboarding: the program page, the ICP
questions, the criteria, the specialties, the CAM territories, the agreement versions (drafts) and
the onboarding steps.

Same rules as the other partner services: an explicit ``actor`` whose model permission is checked
here, one transaction, one audit event per write. The admin builds the row from its form and hands
it over with the names of the fields it changed.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prm.audit.services import audit_record
from prm.errors import ServiceError

from ..models import AgreementVersion, CamTerritory, CriteriaItem, IcpQuestion, OnboardingStep, ProgramPage, Specialty

# The configured models and the noun of their audit events ("<noun>.created", ".changed", ".deleted").
AUDIT_NOUNS = {
    ProgramPage: "program_page",
    IcpQuestion: "icp_question",
    CriteriaItem: "criteria_item",
    Specialty: "specialty",
    CamTerritory: "cam_territory",
    AgreementVersion: "agreement",
    OnboardingStep: "onboarding_step",
}


def _noun(obj) -> str:
    try:
        return AUDIT_NOUNS[type(obj)]
    except KeyError:
        raise TypeError(f"{type(obj).__name__} is not configured through partners.services.config") from None


def _require(actor, obj, action: str) -> None:
    meta = obj._meta
    permission = f"{meta.app_label}.{action}_{meta.model_name}"
    if not (actor is not None and actor.is_active and actor.is_staff and actor.has_perm(permission)):
        raise PermissionDenied


def _refuse_published(obj) -> None:
    if isinstance(obj, AgreementVersion) and obj.pk is not None:
        if AgreementVersion.objects.filter(pk=obj.pk, published_at__isnull=False).exists():
            raise ServiceError(_("A published agreement version cannot be changed."))


@transaction.atomic
def configuration_save(*, actor, obj, changed=()):
    """Create or change a configured row; ``changed`` names the fields the actor changed."""
    noun = _noun(obj)
    created = obj._state.adding
    _require(actor, obj, "add" if created else "change")
    _refuse_published(obj)
    obj.save()
    audit_record(
        actor=actor, action=f"{noun}.{'created' if created else 'changed'}", obj=obj, reason=", ".join(changed)
    )
    return obj


@transaction.atomic
def configuration_delete(*, actor, obj) -> None:
    noun = _noun(obj)
    _require(actor, obj, "delete")
    _refuse_published(obj)
    audit_record(actor=actor, action=f"{noun}.deleted", obj=obj)
    obj.delete()
