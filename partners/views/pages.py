"""The home page (a partner's, the staff's, or the public landing page) and the staff page of a partner."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from prm.countries import country_name
from prm.listing import filter_chip
from prm.metrics import is_metric, metric_values
from prm.notifications.selectors import notifications_for
from prm.partner_pages import Kpi, home_context, staff_sections
from prm.tenancy import get_visible_or_404, is_vendor_staff

from ..models import Partner
from ..onboarding import onboarding_state
from ..selectors import (
    LIST_SORTS,
    ONBOARDING_FILTERS,
    STATUS_FILTERS,
    MemberStatus,
    member_status,
    partner_cams,
    partner_list_choices,
    partner_of,
    partner_trail,
    partners_with_counts,
    staff_partner_list,
    team_invitations,
    team_members,
)
from ..tiers import tier_period, tier_progress
from .base import staff_required
from .public import landing

LIST_PAGE_SIZE = 25
TRAIL_PAGE_SIZE = 25
MAX_TRAIL_PAGE = 1000
# The figure of the deals app the staff list shows for each partner, when that app is installed.
LIST_METRIC = "deals.won"


def home(request):
    """The signed-in user's home; anonymous visitors get the program's public page."""
    user = request.user
    if not user.is_authenticated:
        return landing(request)
    partner = partner_of(user)
    if partner is not None:
        return render(
            request,
            "partners/partner_home.html",
            {
                "partner": partner,
                "membership": user._prm_membership,
                "cams": list(partner_cams(partner)),
                "notifications": list(notifications_for(user)[:5]),
                "onboarding": onboarding_state(partner),
                **home_context(partner),  # deal_summary (deals)
            },
        )
    if is_vendor_staff(user):
        page = Paginator(partners_with_counts(user), 50).get_page(request.GET.get("page"))
        return render(request, "partners/staff_home.html", {"page": page, "partners": page.object_list})
    return render(request, "partners/no_partner.html", status=403)


def _status_labels() -> dict[str, str]:
    return {"active": _("Active"), "inactive": _("Inactive")}


def _onboarding_labels() -> dict[str, str]:
    return {"complete": _("Complete"), "in_progress": _("In progress"), "not_started": _("Not started")}


@staff_required
@require_GET
def staff_partners(request):
    """The staff list of partners: the partners in the user's scope, searched, filtered, sorted and
    paginated, in a fixed number of queries however many partners there are."""
    choices = partner_list_choices(request.user)
    tiers = {str(tier.pk): tier for tier in choices["tiers"]}
    wanted = {key: request.GET.get(key, "").strip() for key in ("q", "tier", "country", "status", "onboarding", "sort")}
    kept = {
        "q": wanted["q"][:100],
        "tier": wanted["tier"] if wanted["tier"] in tiers or wanted["tier"] == "none" else "",
        "country": wanted["country"] if wanted["country"] in choices["countries"] else "",
        "status": wanted["status"] if wanted["status"] in STATUS_FILTERS else "",
        "onboarding": wanted["onboarding"] if wanted["onboarding"] in ONBOARDING_FILTERS else "",
        "sort": wanted["sort"] if wanted["sort"].removeprefix("-") in LIST_SORTS else "",
    }
    partners = staff_partner_list(
        request.user,
        search=kept["q"],
        tier=kept["tier"],
        country=kept["country"],
        status=kept["status"],
        onboarding=kept["onboarding"],
        sort=kept["sort"],
    )
    page = Paginator(partners, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    metric = is_metric(LIST_METRIC)
    if metric:
        won = metric_values(LIST_METRIC, [partner.pk for partner in rows], tier_period())
        for partner in rows:
            partner.deals_won = won.get(partner.pk, 0)
    statuses, onboarding = _status_labels(), _onboarding_labels()
    chips = []
    if kept["q"]:
        chips.append(filter_chip(request.path, _("Search"), kept["q"], "q", kept))
    if kept["tier"]:
        label = str(tiers[kept["tier"]]) if kept["tier"] in tiers else _("No tier")
        chips.append(filter_chip(request.path, _("Tier"), label, "tier", kept))
    if kept["country"]:
        chips.append(filter_chip(request.path, _("Country"), country_name(kept["country"]), "country", kept))
    if kept["status"]:
        chips.append(filter_chip(request.path, _("Status"), statuses[kept["status"]], "status", kept))
    if kept["onboarding"]:
        chips.append(filter_chip(request.path, _("Onboarding"), onboarding[kept["onboarding"]], "onboarding", kept))
    filtered = any(value for key, value in kept.items() if key != "sort")
    return render(
        request,
        "partners/staff_partner_list.html",
        {
            "page": page,
            "partners": rows,
            "show_metric": metric,
            "kept": kept,
            "filtered": filtered,
            "chips": chips,
            "tiers": choices["tiers"],
            "countries": sorted(
                ((code, country_name(code)) for code in choices["countries"]), key=lambda choice: choice[1]
            ),
            "statuses": list(statuses.items()),
            "onboarding_states": list(onboarding.items()),
            "extra": urlencode({key: value for key, value in kept.items() if value}),
        },
    )


def _profile_facts(partner) -> list[tuple[str, object]]:
    """The partner's profile as (label, value) rows; empty values left out."""
    field = Partner._meta.get_field
    facts = [
        (capfirst(field("country").verbose_name), country_name(partner.country)),
        (_("Program"), partner.program.name),
        (_("Joined"), partner.created_at),
        (capfirst(field("website").verbose_name), partner.website),
        (capfirst(field("email_domain").verbose_name), partner.email_domain),
        (capfirst(field("tax_id").verbose_name), partner.tax_id),
        (capfirst(field("company_size").verbose_name), partner.get_company_size_display()),
        (capfirst(field("specialties").verbose_name), ", ".join(str(s) for s in partner.specialties.all())),
    ]
    return [(label, value) for label, value in facts if value]


def _trail_page(events, number: str) -> dict:
    """Page ``number`` (``?trail=``, from 1) of the trail, newest first: one query, however long the
    trail (one row more than a page says whether older events follow; no count of them all)."""
    number = min(int(number), MAX_TRAIL_PAGE) if number.isdigit() and int(number) > 0 else 1
    start = (number - 1) * TRAIL_PAGE_SIZE
    rows = list(events[start : start + TRAIL_PAGE_SIZE + 1])
    return {
        "events": rows[:TRAIL_PAGE_SIZE],
        "number": number,
        "has_previous": number > 1,
        "previous": number - 1,
        "has_next": len(rows) > TRAIL_PAGE_SIZE,
        "next": number + 1,
    }


@staff_required
@require_GET
def staff_partner_detail(request, pk):
    """The staff's view of one partner (its "360"): profile, tier, CAMs, team, the sections the apps add
    (deals, leads), onboarding and the audit trail of everything it owns, page by page. A fixed number
    of queries however many members, deals, leads and events it has."""
    partner = get_visible_or_404(Partner.objects.select_related("tier", "program__calendar"), request.user, pk=pk)
    now = timezone.now()
    members = []
    active_members = 0
    for member in team_members(request.user, partner):
        member.status = member_status(member, now)
        if member.status in (MemberStatus.ACTIVE, MemberStatus.INACTIVE):  # joined; the invited are apart
            member.status_label = MemberStatus.LABELS[member.status]
            members.append(member)
            active_members += member.status == MemberStatus.ACTIVE
    invited = list(team_invitations(request.user, partner))
    for invitation in invited:
        invitation.is_expired = invitation.expires_at <= now
    sections = staff_sections(request.user, partner)
    kpis = [kpi for section in sections for kpi in section.kpis]
    kpis.append(Kpi(_("active users"), active_members, "users", "primary"))
    tier = tier_progress(partner, currency=partner.program.currency)
    met = sum(1 for requirement in tier["requirements"] if requirement.met)
    total = len(tier["requirements"])
    trail = _trail_page(partner_trail(request.user, partner), request.GET.get("trail", ""))
    return render(
        request,
        "partners/staff_partner_detail.html",
        {
            "partner": partner,
            "facts": _profile_facts(partner),
            "members": members,
            "invited": invited,
            "cams": list(partner_cams(partner)),
            "kpis": kpis,
            "sections": sections,
            "tier": {**tier, "met": met, "total": total, "percent": 100 * met // total if total else 0},
            "currency": partner.program.currency,
            "trail": trail,
            "audit_events": trail["events"],
            "onboarding": onboarding_state(partner, viewer=request.user),
        },
    )
