from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Q
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from prm.countries import country_name
from prm.money.currencies import Currency, currency_of_country
from prm.partner_pages import trail_hidden_q
from prm.tenancy import cam_grants, membership_of, record_denied_access

from ..models import Partner, Tier
from ..onboarding import ONBOARDING_COMPLETE, ONBOARDING_IN_PROGRESS, ONBOARDING_NOT_STARTED, with_onboarding_counts


def partners_visible(user):
    return Partner.objects.visible_to(user).select_related("tier", "program").order_by("name")


def partners_with_counts(user):
    """Partners with their number of users and their onboarding progress (done / total steps)."""
    return with_onboarding_counts(partners_visible(user).annotate(member_count=Count("memberships")))


# The staff list of partners (/staff/partners/): its filters, each a parameter of the address, and the
# columns it may be sorted by (``?sort=joined`` ascending, ``?sort=-joined`` descending; by name otherwise).
STATUS_FILTERS = {"active": Q(is_active=True), "inactive": Q(is_active=False)}
ONBOARDING_FILTERS = {
    "complete": ONBOARDING_COMPLETE,
    "in_progress": ONBOARDING_IN_PROGRESS,
    "not_started": ONBOARDING_NOT_STARTED,
}
LIST_SORTS = {"name": "name", "tier": "tier__rank", "country": "country", "joined": "created_at"}


def staff_partner_list(
    user, *, search: str = "", tier: str = "", country: str = "", status: str = "", onboarding: str = "", sort: str = ""
):
    """The partners of the staff list, scoped to the user: searched by name, tax ID or e-mail domain,
    filtered by tier (a tier id), country, status and onboarding state, sorted by a column of
    ``LIST_SORTS``, with their number of users and their onboarding progress. One query."""
    partners = partners_with_counts(user)
    search = " ".join((search or "").split())[:100]
    if search:
        partners = partners.filter(
            Q(name__icontains=search) | Q(tax_id__icontains=search) | Q(email_domain__icontains=search)
        )
    if tier == "none":
        partners = partners.filter(tier__isnull=True)
    elif tier.isdigit():
        partners = partners.filter(tier_id=int(tier))
    if country:
        partners = partners.filter(country=country.upper()[:2])
    if status in STATUS_FILTERS:
        partners = partners.filter(STATUS_FILTERS[status])
    if onboarding in ONBOARDING_FILTERS:
        partners = partners.filter(ONBOARDING_FILTERS[onboarding])
    column = LIST_SORTS.get((sort or "").removeprefix("-"))
    if column is None:
        return partners.order_by("name", "pk")
    if sort.startswith("-"):  # partners without a tier come last either way
        return partners.order_by(F(column).desc(nulls_last=True), "-name", "-pk")
    return partners.order_by(F(column).asc(nulls_last=True), "name", "pk")


def partner_list_choices(user) -> dict:
    """What the staff list's filters offer: the tiers of the programs and the countries of the
    partners in the user's scope. Two queries."""
    visible = Partner.objects.visible_to(user)
    countries = visible.order_by("country").values_list("country", flat=True).distinct()
    tiers = Tier.objects.filter(program__in=visible.values("program_id")).select_related("program")
    return {"countries": list(countries), "tiers": list(tiers.order_by("program__name", "rank"))}


def partner_currency(partner) -> str:
    """The currency a partner's forms offer first: its country's if amounts may be entered in it,
    else its program's (if one of those), else US dollars."""
    program_currency = partner.program.currency
    fallback = program_currency if program_currency in Currency.values else Currency.USD.value
    return currency_of_country(partner.country, fallback)


def partner_of(user):
    """The partner of a partner user (None for staff and for users of an inactive partner)."""
    membership = membership_of(user)
    if membership is None or not membership.partner.is_active:
        return None
    return membership.partner


def my_partner_or_404(user):
    """The partner of a partner user and their membership; 404 for anyone else (staff have none)."""
    partner = partner_of(user)
    if partner is None:
        raise Http404
    return partner, membership_of(user)


def require_partner_admin(request, membership) -> None:
    """Only the partner's admins may act; anyone else is refused (and the refusal audited)."""
    if membership.role != "admin":
        record_denied_access(request.user, request.path)
        raise PermissionDenied(_("Only a partner admin can do this."))


def partner_admins(partner):
    """The active partner admins of a partner (a Partner or its pk)."""
    return (
        get_user_model()
        .objects.filter(is_active=True, membership__partner=partner, membership__role="admin")
        .order_by("pk")
    )


def partner_cams(partner):
    """The channel account managers assigned to a partner."""
    user_ids = cam_grants().filter(content_object=partner).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("email")


def partner_trail(viewer, partner):
    """The audit trail of a partner for its staff page, newest first: the events of the partner and of
    everything it owns (deals, leads, members, invitations, onboarding), which carry its id, as far as
    the viewer's scope goes. The events of a registration the viewer may not read (a draft, which is
    the partner's until it is submitted, or one deleted as a draft) are left out: the apps say what a
    viewer may read of theirs (``prm.partner_pages.register_trail_scope``)."""
    from prm.audit.models import AuditEvent

    return (
        AuditEvent.objects.visible_to(viewer)
        .filter(partner_id=partner.pk)
        .exclude(trail_hidden_q(viewer))
        .order_by("-at", "-id")
    )


# --- for the dashboards (analytics) -----------------------------------------------------------------


def all_partner_ids() -> list[int]:
    """Every partner, active or not (the rollup keeps the history of a partner that left)."""
    return list(Partner.objects.order_by("pk").values_list("pk", flat=True))


@dataclass(frozen=True)
class PeerGroup:
    """The partners a partner is compared with: the active partners of its program in its tier, or, for
    a partner without a tier, in its country; ``members`` includes the partner itself."""

    kind: str  # "tier" or "country"
    name: str  # the tier's name in the reader's language, or the country's
    members: tuple[int, ...]


def peer_group(partner) -> PeerGroup:
    peers = Partner.objects.filter(program_id=partner.program_id, is_active=True)
    if partner.tier_id is not None:
        kind, name, peers = "tier", str(partner.tier), peers.filter(tier_id=partner.tier_id)
    else:
        kind, name, peers = "country", country_name(partner.country), peers.filter(country=partner.country)
    members = set(peers.values_list("pk", flat=True)) | {partner.pk}
    return PeerGroup(kind=kind, name=name, members=tuple(sorted(members)))


def all_peer_groups() -> list[PeerGroup]:
    """Every peer group of every program: each tier's, and each country's of the partners without a
    tier (two queries)."""
    groups = {}
    rows = Partner.objects.filter(is_active=True).values_list("pk", "program_id", "tier_id", "country")
    tiers = {tier.pk: tier for tier in Tier.objects.all()}
    for pk, program_id, tier_id, country in rows:
        key = (program_id, "tier", tier_id) if tier_id is not None else (program_id, "country", country)
        groups.setdefault(key, []).append(pk)
    return [
        PeerGroup(
            kind=kind,
            name=str(tiers[value]) if kind == "tier" else country_name(value),
            members=tuple(sorted(members)),
        )
        for (_program, kind, value), members in groups.items()
    ]


def partner_ids_visible(user, *, country: str = "", tier_id: int | None = None, among=None) -> list[int]:
    """The ids of the partners in the user's scope (one query), narrowed to a country (an ISO code), a
    tier (its id) and the ids ``among`` when given: a filter never widens the scope."""
    partners = Partner.objects.visible_to(user)
    if country:
        partners = partners.filter(country=country)
    if tier_id is not None:
        partners = partners.filter(tier_id=tier_id)
    if among is not None:
        partners = partners.filter(pk__in=list(among))
    return list(partners.values_list("pk", flat=True))


def partner_names_visible(user) -> list[tuple[int, str]]:
    """``(id, name)`` of the partners in the user's scope, by name (one query)."""
    return list(Partner.objects.visible_to(user).order_by("name", "pk").values_list("pk", "name"))


def partners_by_ids(ids):
    """Partners by id, with their tier and program (the dashboards' names; the ids come from a scope)."""
    return Partner.objects.filter(pk__in=list(ids)).select_related("tier", "program").order_by("name")


@dataclass(frozen=True)
class ActivePartner:
    pk: int
    name: str
    program_id: int
    joined: object  # datetime: when the partner was made
    currency: str  # the program's


def active_partners() -> list[ActivePartner]:
    """Every active partner, with its program and when it joined (the inactivity check; one query)."""
    rows = (
        Partner.objects.filter(is_active=True)
        .order_by("pk")
        .values_list("pk", "name", "program_id", "created_at", "program__currency")
    )
    return [ActivePartner(*row) for row in rows]


def admins_by_partner(partner_ids) -> dict[int, list]:
    """``{partner_id: [active partner admins]}`` of the partners asked for (one query)."""
    users = get_user_model().objects.filter(
        is_active=True, membership__partner_id__in=list(partner_ids), membership__role="admin"
    )
    found: dict[int, list] = {}
    for user in users.select_related("membership").order_by("pk"):
        found.setdefault(user.membership.partner_id, []).append(user)
    return found


def cams_by_partner(partner_ids) -> dict[int, list]:
    """``{partner_id: [active CAM users]}`` of the partners asked for (one query)."""
    grants = cam_grants().filter(content_object_id__in=list(partner_ids), user__is_active=True).select_related("user")
    found: dict[int, list] = {}
    for grant in grants.order_by("content_object_id", "user__email"):
        found.setdefault(grant.content_object_id, []).append(grant.user)
    return found


def channel_managers():
    """The active channel managers (who hears about partners without a CAM)."""
    from prm.roles import StaffRole

    return (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, groups__name=StaffRole.CHANNEL_MANAGER)
        .distinct()
        .order_by("pk")
    )
