"""Reads of deal registration: settings of a program, scoped deal lists and conflict matches."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.postgres.search import TrigramSimilarity
from django.utils.translation import gettext_lazy as _

from partners.recruitment import is_free_mail_domain, normalize_company_name, normalize_tax_id

from .models import Deal, DealProgramSettings, HouseAccount

MATCH_LIMIT = 50


def program_settings(program) -> DealProgramSettings:
    """The deal registration settings of a program, created with the defaults on first use."""
    settings, _created = DealProgramSettings.objects.get_or_create(program=program)
    return settings


def deals_visible_to(user):
    return Deal.objects.visible_to(user).select_related("partner")


@dataclass(frozen=True)
class DealMatch:
    kind: str  # "email_domain", "tax_id" or "name"
    score: float  # 1.0 for an identical domain or tax ID; the trigram similarity for names
    target: object  # a Deal or a HouseAccount
    registered_first: bool  # the target was there before the deal being checked

    KIND_LABELS = {
        "email_domain": _("same email domain"),
        "tax_id": _("same tax ID"),
        "name": _("similar name"),
    }

    @property
    def kind_label(self) -> str:
        return str(self.KIND_LABELS[self.kind])

    @property
    def is_house_account(self) -> bool:
        return isinstance(self.target, HouseAccount)


def _match_rows(queryset, *, name_field, domain_field, tax_field, name, domain, tax_id, threshold):
    """Candidate rows per criterion, each one an indexed query."""
    found: list[tuple[str, float, object]] = []
    if domain:
        found += [("email_domain", 1.0, row) for row in queryset.filter(**{domain_field: domain})[:MATCH_LIMIT]]
    if tax_id:
        found += [("tax_id", 1.0, row) for row in queryset.filter(**{tax_field: tax_id})[:MATCH_LIMIT]]
    if name:
        similar = (
            queryset.filter(**{f"{name_field}__trigram_similar": name})
            .annotate(similarity=TrigramSimilarity(name_field, name))
            .filter(similarity__gte=threshold)
            .order_by("-similarity", "pk")[:MATCH_LIMIT]
        )
        found += [("name", round(float(row.similarity), 2), row) for row in similar]
    return found


def deal_conflicts(deal: Deal, *, at=None) -> list[DealMatch]:
    """Other open or protecting registrations (any partner) and house accounts that may be the same customer.

    In the same country: the same customer email domain (never free mail), the same normalised
    tax ID, or a normalised name with a trigram similarity at or above the program threshold.
    Highest scores first.
    """
    threshold = float(program_settings(deal.partner.program).conflict_threshold)
    name = deal.customer_name_normalized or normalize_company_name(deal.customer_company)
    tax_id = deal.customer_tax_id_normalized or normalize_tax_id(deal.customer_tax_id)
    domain = (deal.customer_email_domain or "").lower()
    if is_free_mail_domain(domain):
        domain = ""
    country = deal.customer_country

    deals = (
        Deal.objects.open_or_protecting(at)
        .filter(customer_country=country)
        .exclude(pk=deal.pk)
        .select_related("partner")
    )
    houses = HouseAccount.objects.filter(country=country)
    common = {"name": name, "domain": domain, "tax_id": tax_id, "threshold": threshold}
    rows = _match_rows(
        deals,
        name_field="customer_name_normalized",
        domain_field="customer_email_domain",
        tax_field="customer_tax_id_normalized",
        **common,
    ) + _match_rows(
        houses, name_field="name_normalized", domain_field="email_domain", tax_field="tax_id_normalized", **common
    )
    mine = deal.submitted_at or deal.created_at

    def first(target) -> bool:
        if isinstance(target, HouseAccount):
            return True
        theirs = target.submitted_at or target.created_at
        return (theirs, target.pk) < (mine, deal.pk) if mine else True

    matches = [DealMatch(kind, score, target, first(target)) for kind, score, target in rows]
    return sorted(
        matches,
        key=lambda m: (-m.score, not m.is_house_account, m.kind, type(m.target).__name__, m.target.pk),
    )
