"""Duplicate detection: existing partners and open applications that may be the same company."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce, NullIf

from prm.identity import (
    Identity,
    IdentityMatch,
    identity_matches,
    normalized_name_sql,
    normalized_tax_id_sql,
    trigram_threshold,
)

from ..models import Application, ApplicationStatus, Partner

SIMILAR_NAME_THRESHOLD = 0.4


@dataclass(frozen=True)
class DuplicateMatch(IdentityMatch):
    @property
    def is_partner(self) -> bool:
        return isinstance(self.target, Partner)


def application_duplicates(application) -> list[DuplicateMatch]:
    """Existing partners and other open applications that may be the same company.

    Same company email domain (never a free-mail one: those say nothing about the company),
    same normalised tax ID, or a normalised name with a trigram similarity of 0.4 or more
    (``prm.identity.identity_matches``). Highest scores first; partners before applications on a tie.
    """
    identity = Identity.of(
        name=application.company_name,
        name_normalized=application.name_normalized,
        tax_id=application.tax_id,
        tax_id_normalized=application.tax_id_normalized,
        domain=application.email_domain,
    )
    partners = Partner.objects.annotate(
        norm_name=Coalesce(NullIf(F("name_normalized"), Value("")), normalized_name_sql("name")),
        norm_tax=Coalesce(NullIf(F("tax_id_normalized"), Value("")), normalized_tax_id_sql("tax_id")),
    )
    if identity.domain:
        from ..models import Membership

        partners = partners.annotate(
            member_domain=Exists(
                Membership.objects.filter(partner=OuterRef("pk"), user__email__iendswith=f"@{identity.domain}")
            )
        )
    if application.partner_id:
        partners = partners.exclude(pk=application.partner_id)
    applications = Application.objects.filter(status=ApplicationStatus.SUBMITTED).exclude(pk=application.pk)

    with trigram_threshold(SIMILAR_NAME_THRESHOLD):
        rows = identity_matches(
            partners,
            identity,
            name_field="norm_name",
            tax_field="norm_tax",
            domain=lambda domain: Q(email_domain__iexact=domain) | Q(member_domain=True),
            threshold=SIMILAR_NAME_THRESHOLD,
        ) + identity_matches(
            applications,
            identity,
            name_field="name_normalized",
            tax_field="tax_id_normalized",
            domain="email_domain__iexact",
            threshold=SIMILAR_NAME_THRESHOLD,
        )
    matches = [DuplicateMatch(kind, score, target) for kind, score, target in rows]
    return sorted(matches, key=lambda match: (-match.score, not match.is_partner, match.kind, match.target.pk))
