"""Reads of deal registration: settings of a program, scoped deal lists and conflict matches."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import CharField, Count, F, Min, Q, Sum, Value, prefetch_related_objects
from django.db.models.functions import Concat
from django.db.models.lookups import IContains
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partners.templatetags.partner_tiers import money
from prm.audit.selectors import audit_events_for
from prm.countries import country_name
from prm.identity import Identity, IdentityMatch, identity_matches, trigram_threshold
from prm.listing import NewestMatches
from prm.sla.display import with_clock
from prm.tenancy import cam_grants, is_vendor_staff, membership_of

from .models import (
    DECISION_KIND,
    OPEN_STATUSES,
    Deal,
    DealProgramSettings,
    DealStage,
    DealStatus,
    HouseAccount,
    PartnerStatusCount,
    reason_display,
)


def program_settings(program) -> DealProgramSettings:
    """The deal registration settings of a program; a program without its row (it is made with the
    program) reads the defaults, from an unsaved instance. Writes nothing."""
    settings = DealProgramSettings.objects.filter(program=program).first()
    return settings if settings is not None else DealProgramSettings(program=program)


def deals_visible_to(user):
    """The deal registrations the user may read: their partner's, or for vendor staff the partners in
    their scope, without drafts. A draft belongs to its partner until it is submitted: no staff user
    (CAM, channel manager, executive) reads it, and a staff URL to one answers like a missing deal."""
    deals = Deal.objects.visible_to(user)
    if membership_of(user) is None:
        deals = deals.exclude(status=DealStatus.DRAFT)
    return deals.select_related("partner")


# --- What waits on staff (the admin's queue) -------------------------------------------------------

# A large registration approved once, waiting for a channel manager's second approval.
SECOND_APPROVAL_PENDING = Q(status__in=OPEN_STATUSES, first_approver__isnull=False)


def _by_urgency(deals):
    """Oldest first: the decision clock due first (one sub-query per column), then the first submitted."""
    deals = with_clock(deals, kind=DECISION_KIND, state_as="sla_state", due_as="sla_due_at")
    return deals.order_by(F("sla_due_at").asc(nulls_last=True), "submitted_at", "pk")


def deals_awaiting_decision(user):
    """The submitted registrations in the user's scope that wait on a first decision, the most urgent
    first; none for a user who may not decide (``deals.approve_deal``). A question to the partner
    waits on the partner, not here."""
    if not user.has_perm("deals.approve_deal"):
        return Deal.objects.none()
    deals = deals_visible_to(user).filter(status=DealStatus.SUBMITTED, first_approver__isnull=True)
    return _by_urgency(deals)


def deals_awaiting_second_approval(user):
    """The registrations approved once that wait on the user's second approval (a channel manager,
    ``deals.approve_deal_second``, other than the first approver), the most urgent first."""
    if not user.has_perm("deals.approve_deal_second"):
        return Deal.objects.none()
    deals = deals_visible_to(user).filter(SECOND_APPROVAL_PENDING, status=DealStatus.SUBMITTED)
    return _by_urgency(deals.exclude(first_approver=user))


# Filters of the partner's list: one status, or "open" (awaiting a decision) and "active" (protected).
LIST_FILTERS = {
    "open": Q(status__in=OPEN_STATUSES),
    "active": Q(status=DealStatus.APPROVED),
    **{status: Q(status=status) for status in DealStatus.values},
}


# The columns the list may be sorted by: ``?sort=amount`` ascending, ``?sort=-amount`` descending.
# Any other value keeps the default order, newest first.
LIST_SORTS = {
    "customer": "customer_company",
    "status": "status",
    "amount": "amount",
    "close": "expected_close_date",
    "created": "created_at",
}


# The statuses each filter of the partner's list shows (None: every status).
_FILTER_STATUSES = {"": None, "open": OPEN_STATUSES, "active": (DealStatus.APPROVED,)} | {
    status: (status,) for status in DealStatus.values
}


def deal_list_count(partner, *, status: str = "", search: str = "") -> int | None:
    """How many rows the partner's list has (a partner user sees all of its partner's registrations,
    drafts included), read from the partner's figures (``deals.figures``) rather than by counting
    its registrations; None when the list is searched (then only the rows can tell)."""
    if " ".join((search or "").split()) or status not in _FILTER_STATUSES:
        return None
    counts = PartnerStatusCount.objects.filter(partner=partner)
    statuses = _FILTER_STATUSES[status]
    if statuses is not None:
        counts = counts.filter(status__in=statuses)
    return counts.aggregate(n=Sum("count"))["n"] or 0


def customer_matches(text: str) -> Q:
    """The registrations whose customer company or contact email contains the text, in any case: what
    the trigram indexes on ``UPPER(customer_company)`` and ``UPPER(customer_email)`` serve."""
    return Q(customer_company__icontains=text) | Q(customer_email__icontains=text)


def customer_scan(text: str):
    """``customer_matches`` in a form no index serves: a registration's company and email as one text
    (a line break between them, which a search never holds). For the newest rows of a list, read in
    the order of a date index (``prm.listing.NewestMatches``)."""
    return IContains(Concat("customer_company", Value("\n"), "customer_email", output_field=CharField()), text)


def _customer_search(user, scope, text: str):
    """The rows of ``scope`` whose customer matches ``text``, newest first. A partner user's search
    reads the partner's newest rows from the index ``deal_partner_created`` first; staff (many partners)
    search through the trigram indexes."""
    if membership_of(user) is None:
        return scope.filter(customer_matches(text)).order_by("-created_at", "-pk")
    return NewestMatches(scope, matches=customer_matches(text), scan=customer_scan(text))


def deal_list(user, *, status: str = "", search: str = "", sort: str = ""):
    """The user's registrations for a list: scoped, filtered, sorted, with their decision clocks (one query a page)."""
    deals = deals_visible_to(user).prefetch_related("decision_clock")
    if status in LIST_FILTERS:
        deals = deals.filter(LIST_FILTERS[status])
    search = " ".join((search or "").split())[:100]
    column = LIST_SORTS.get((sort or "").removeprefix("-"))
    if search and column is None and not status:  # newest first: the window of recent rows, then the index
        return _customer_search(user, deals, search)
    if search:
        deals = deals.filter(customer_matches(search))
    if column is None:
        return deals.order_by("-created_at", "-pk")
    descending = sort.startswith("-")
    return deals.order_by(f"-{column}" if descending else column, "-pk" if descending else "pk")


def deal_detail_queryset():
    """What a deal page reads: the deal with its partner, program and calendar, and the lead it came from
    (the page says whether it was vendor-sourced)."""
    return Deal.objects.select_related("partner__program__calendar", "created_by", "lead").prefetch_related(
        "decision_clock"
    )


# What a partner reads on its timeline: the events of its registration, by their labels in the audit
# registry (deals/audit_labels.py), one in words of its own. Internal events (a failed automatic
# approval, for instance) stay on the staff side.
PARTNER_TIMELINE = (
    "deal.created",
    "deal.updated",
    "deal.submitted",
    "deal.info_requested",
    "deal.info_answered",
    "deal.first_approval",
    "deal.approved",
    "deal.rejected",
    "deal.progress_updated",
    "deal.won",
    "deal.lost",
    "deal.extension_requested",
    "deal.extension_approved",
    "deal.extension_rejected",
    "deal.expired",
)
PARTNER_WORDING = {"deal.first_approval": _("First approval given; a channel manager gives the second")}


def deal_timeline(deal: Deal) -> list[dict]:
    """The partner-facing timeline of a registration, oldest first."""
    events = audit_events_for(deal).filter(action__in=PARTNER_TIMELINE).order_by("at", "id")
    return [
        {
            "at": event.at,
            "label": PARTNER_WORDING.get(event.action) or event.action_label,
            "actor": event.actor_label,
            "reason": reason_display(event.reason) if event.action == "deal.rejected" else event.reason,
        }
        for event in events
    ]


def partner_deal_summary(partner) -> dict:
    """Counts per status and the won revenue of the last 12 months: two queries (and one for the
    program when it is not loaded yet) on the partner's figures, which the database keeps as
    registrations change (``deals.figures``, ADR 0015), and the won revenue a task converted
    (``deals.won_revenue``) — or, when that figure no longer holds, two more to convert it: no
    registration is read.

    Won revenue is in the program's currency: each won deal's final amount converted at the rates of
    its close date (``deals.metrics.won_revenue_with_missing``, ADR 0010). Deals whose currency has
    no rate on or before their close date are left out and named in ``won_revenue_missing`` (sorted
    (currency, date) pairs), for the page to say so.
    """
    from .metrics import won_revenue_with_missing
    from .won_revenue import fresh_won_revenue
    from .won_revenue import period as won_revenue_period

    counts = dict(PartnerStatusCount.objects.filter(partner=partner).values_list("status", "count"))
    totals = {
        "open": sum(counts.get(status, 0) for status in OPEN_STATUSES),
        "drafts": counts.get(DealStatus.DRAFT, 0),
        "protected": counts.get(DealStatus.APPROVED, 0),
    }
    period = won_revenue_period()
    stored = fresh_won_revenue(partner, period)  # converted by a task (deals.won_revenue), while it holds
    if stored is None:
        stored = won_revenue_with_missing([partner.pk], period).get(partner.pk, (Decimal("0.00"), set()))
    revenue, missing = stored
    totals["won_revenue_12m"] = revenue
    totals["won_revenue_period"] = period  # the tier progress beside it reuses the figure for its period
    totals["won_revenue_missing"] = sorted(missing)
    totals["currency"] = partner.program.currency
    return totals


@dataclass(frozen=True)
class DealMatch(IdentityMatch):
    """A match of ``prm.identity``: the target is a Deal or a HouseAccount."""

    registered_first: bool  # the target was there before the deal being checked

    @property
    def is_house_account(self) -> bool:
        return isinstance(self.target, HouseAccount)


def deal_conflicts(deal: Deal, *, at=None) -> list[DealMatch]:
    """Other open or protecting registrations (any partner) and house accounts that may be the same customer.

    In the same country: the same customer email domain (never free mail), the same normalised
    tax ID, or a normalised name with a trigram similarity at or above the program threshold
    (``prm.identity.identity_matches``). Highest scores first.
    """
    threshold = float(program_settings(deal.partner.program).conflict_threshold)
    identity = Identity.of(
        name=deal.customer_company,
        name_normalized=deal.customer_name_normalized,
        tax_id=deal.customer_tax_id,
        tax_id_normalized=deal.customer_tax_id_normalized,
        domain_normalized=deal.customer_email_domain,
    )
    country = deal.customer_country

    deals = (
        Deal.objects.open_or_protecting(at)
        .filter(customer_country=country)
        .exclude(pk=deal.pk)
        .select_related("partner")
    )
    houses = HouseAccount.objects.filter(country=country)
    with trigram_threshold(threshold):
        rows = identity_matches(
            deals,
            identity,
            name_field="customer_name_normalized",
            domain="customer_email_domain",
            tax_field="customer_tax_id_normalized",
            threshold=threshold,
        ) + identity_matches(
            houses,
            identity,
            name_field="name_normalized",
            domain="email_domain",
            tax_field="tax_id_normalized",
            threshold=threshold,
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


# --- The facts of a conflict, for the staff who decide it ----------------------------------------

# What the side-by-side comparison shows of each record in a conflict, in this order. Staff allowed
# to decide a deal see these facts of every registration that competes with it, whichever partner
# holds it and whether or not that partner has a CAM: the customer, the money and the dates that
# decide precedence. The other partner's identity ("partner": its name and page) shows only to staff
# who see that partner. Never part of the comparison: the customer contact's email address, the
# notes, the questions and answers, the reasons and who at the partner registered it.
CONFLICT_FACTS = {
    "partner": _("Partner"),
    "cam": _("Channel account manager"),
    "customer": _("Customer"),
    "domain": _("Email domain"),
    "tax_id": _("Tax ID"),
    "country": _("Country"),
    "amount": _("Estimated amount"),
    "expected_close": _("Expected close date"),
    "products": _("Products"),
    "status": _("Status"),
    "registered": _("Registered"),
    "submitted": _("Submitted"),
    "protected_until": _("Protected until"),
}
# The fact that each matching criterion compares.
_MATCHED_FACT = {"email_domain": "domain", "tax_id": "tax_id", "name": "customer"}


def _cams_by_partner(partner_ids) -> dict[int, list[str]]:
    grants = (
        cam_grants()
        .filter(content_object_id__in=set(partner_ids), user__is_active=True)
        .order_by("user__email")
        .values_list("content_object_id", "user__email")
    )
    cams: dict[int, list[str]] = {}
    for partner_id, email in grants:
        cams.setdefault(partner_id, []).append(email)
    return cams


def _facts(record, *, shown: bool, identity: bool, cams: dict) -> dict:
    if isinstance(record, HouseAccount):
        return {
            **dict.fromkeys(CONFLICT_FACTS, ""),
            "partner": str(_("House account (direct sales)")),
            "customer": record.company_name,
            "domain": record.email_domain,
            "tax_id": record.tax_id,
            "country": f"{country_name(record.country)} ({record.country})",
            "status": str(_("reserved for direct sales")),
            "registered": record.created_at,
        }
    if not shown:
        hidden = str(_("(outside your scope)"))
        return {
            **dict.fromkeys(CONFLICT_FACTS, hidden),
            "country": f"{country_name(record.customer_country)} ({record.customer_country})",
            "status": record.get_status_display(),
            "submitted": record.submitted_at or record.created_at,
        }
    return {
        "partner": record.partner.name if identity else str(_("Another partner")),
        "cam": ", ".join(cams.get(record.partner_id, [])) or str(_("None assigned")),
        "customer": record.customer_company,
        "domain": record.customer_email_domain,
        "tax_id": record.customer_tax_id,
        "country": f"{country_name(record.customer_country)} ({record.customer_country})",
        "amount": money(record.amount, record.currency),
        "expected_close": record.expected_close_date,
        "products": ", ".join(sorted(str(product) for product in record.products.all())),
        "status": record.get_status_display(),
        "registered": record.created_at,
        "submitted": record.submitted_at,
        "protected_until": record.protected_until if record.status == DealStatus.APPROVED else None,
    }


def deal_conflict_facts(user, deal: Deal) -> list[dict] | None:
    """The matches of ``deal_conflicts`` side by side with ``deal``, one comparison per other record,
    for a staff user who sees the deal (None for anyone else).

    A record found by several criteria (a similar name and the same tax ID) is one comparison listing
    each criterion with its score. Each comparison has ``fields``: one row per ``CONFLICT_FACTS`` key
    with this deal's value (``mine``), the other record's (``theirs``) and whether a criterion
    matched on it. Staff allowed to decide the deal (``deals.approve_deal`` on a deal in their scope)
    see the facts of every competing registration; the other partner's name and the link to its
    registration only when they see that partner. Someone who could see the deal but not decide it
    sees only what decides precedence of a registration outside their scope.
    """
    if not is_vendor_staff(user):
        return None  # a partner is told a check is under way, never who else registered
    deal = deals_visible_to(user).filter(pk=deal.pk).first()
    if deal is None:
        return None
    decides = user.has_perm("deals.approve_deal")
    matches = deal_conflicts(deal)
    others = [match.target for match in matches if not match.is_house_account]
    prefetch_related_objects([deal, *others], "products")
    visible = set(deals_visible_to(user).filter(pk__in=[other.pk for other in others]).values_list("pk", flat=True))
    cams = _cams_by_partner([deal.partner_id, *(other.partner_id for other in others)])
    mine = _facts(deal, shown=True, identity=True, cams=cams)
    groups: dict[tuple[str, int], dict] = {}
    for match in matches:  # highest score first: the first criterion of a record is its best
        target = match.target
        key = (type(target).__name__, target.pk)
        if key not in groups:
            in_scope = match.is_house_account or target.pk in visible
            if match.is_house_account:
                url = reverse("admin:deals_houseaccount_change", args=[target.pk])
            else:
                url = reverse("admin:deals_deal_change", args=[target.pk]) if in_scope else ""
            groups[key] = {
                "number": len(groups) + 1,
                "score": match.score,
                "criteria": [],
                "matched": set(),
                "registered_first": match.registered_first,
                "is_house_account": match.is_house_account,
                "in_scope": in_scope,
                "url": url,
                "theirs": _facts(target, shown=in_scope or decides, identity=in_scope, cams=cams),
            }
        group = groups[key]
        group["criteria"].append({"label": match.kind_label, "score": match.score})
        group["matched"].add(_MATCHED_FACT[match.kind])
    rows = []
    for group in groups.values():
        theirs, matched = group.pop("theirs"), group.pop("matched")
        group["fields"] = [
            {"label": label, "mine": mine[key], "theirs": theirs[key], "matched": key in matched}
            for key, label in CONFLICT_FACTS.items()
        ]
        rows.append(group)
    return rows


def search_deals(user, text: str, limit: int):
    """Global search (prm.search): the user's visible registrations whose customer matches."""
    from prm.search import Hit

    staff = is_vendor_staff(user)
    rows = _customer_search(user, deals_visible_to(user), text)[:limit]
    return [
        Hit(
            title=deal.customer_company,
            subtitle=deal.partner.name if staff else country_name(deal.customer_country),
            url=reverse("admin:deals_deal_change", args=[deal.pk]) if staff else reverse("deal_detail", args=[deal.pk]),
            status=deal.status,
            status_label=deal.get_status_display(),
        )
        for deal in rows
    ]


# --- The dashboards' live figures (analytics) ---------------------------------------------------------

PIPELINE_REVIEW = "review"  # submitted or waiting for the partner's answer: not yet a stage


def first_won_by_partner(partner_ids) -> dict:
    """``{partner_id: moment}`` each partner closed its first won deal (one query, ``deal_partner_status``)."""
    rows = (
        Deal.objects.filter(partner_id__in=list(partner_ids), status=DealStatus.WON, closed_at__isnull=False)
        .values("partner_id")
        .annotate(first=Min("closed_at"))
        .order_by()
    )
    return dict(rows.values_list("partner_id", "first"))


def open_registrations_by_partner(partner_ids) -> dict[int, int]:
    """``{partner_id: registrations awaiting a decision or approved and not closed}`` (one query)."""
    rows = (
        Deal.objects.filter(partner_id__in=list(partner_ids), status__in=OPEN_STATUSES + (DealStatus.APPROVED,))
        .values("partner_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return dict(rows.values_list("partner_id", "n"))


def pipeline_by_stage(partner, *, today=None) -> list[dict]:
    """The partner's open pipeline now: registrations awaiting a decision, then the approved ones by
    sales stage, each with its count and estimated amount in the program's currency (converted at
    today's rates; currencies without a rate are left out of the amount and listed in ``missing``).
    Two queries (the sums, the rates)."""
    from prm.money import sums_in

    today = today or timezone.localdate()
    rows = (
        Deal.objects.filter(partner=partner, status__in=OPEN_STATUSES + (DealStatus.APPROVED,))
        .values("status", "stage", "currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    )
    stages = [(PIPELINE_REVIEW, _("awaiting a decision"))] + list(DealStage.choices)
    counts = {key: 0 for key, _label in stages}
    groups = {key: (partner.program.currency, []) for key, _label in stages}
    for row in rows:
        key = row["stage"] if row["status"] == DealStatus.APPROVED else PIPELINE_REVIEW
        key = key if key in counts else DealStage.QUALIFICATION
        counts[key] += row["n"]
        groups[key][1].append((row["amount"] or Decimal(0), row["currency"], today))
    converted = sums_in(groups)
    return [
        {"key": key, "label": label, "count": counts[key], "amount": converted[key][0], "missing": converted[key][1]}
        for key, label in stages
    ]


def owner_figures(user_id: int, partner_id: int, spans, *, currency: str, today=None) -> dict:
    """A partner user's own registrations (those they created) at their partner, for "My figures":
    over each of ``spans`` (bounded ``prm.metrics.Period``), the registrations submitted and approved,
    won (by close date) and lost, and the won revenue in ``currency`` (the program's); and the open
    pipeline now (awaiting a decision or approved: its count and estimated amount).

    The figures count as the partner's day figures do (``deals.figures``): the days of
    ``settings.TIME_ZONE``, approvals whatever became of them since, and the won revenue converted
    as the dashboards convert it, each close date's amounts at that date's rates and rounded to the
    cent (``deals.metrics.won_revenue_daily``); the pipeline at today's rates. Amounts in a currency
    without a rate are left out and named in ``missing``.

    ``{"spans": [{"submitted", "approved", "won", "lost", "won_revenue", "missing"}, …],
    "pipeline": {"count", "amount", "missing"}}``. Four queries however many registrations (the
    counts, the won amounts by day and currency, the open ones by currency, the rates); the
    registrations are found by their creator's index (``created_by``).
    """
    from prm.money import sums_in

    spans = list(spans)
    today = today or timezone.localdate()
    deals = Deal.objects.filter(partner_id=partner_id, created_by_id=user_id)
    figures = {}
    with timezone.override(timezone.get_default_timezone()):
        for n, span in enumerate(spans):
            figures[f"submitted_{n}"] = Count("pk", filter=span.moments("submitted_at"))
            figures[f"approved_{n}"] = Count("pk", filter=span.moments("approved_at"))
            figures[f"won_{n}"] = Count("pk", filter=Q(status=DealStatus.WON) & span.dates("closed_on"))
            figures[f"lost_{n}"] = Count("pk", filter=Q(status=DealStatus.LOST) & span.moments("closed_at"))
        counts = deals.aggregate(**figures) if spans else {}
    won = []
    if spans:
        won = list(
            deals.filter(
                status=DealStatus.WON,
                final_amount__isnull=False,
                closed_on__gte=min(span.since for span in spans),
                closed_on__lte=max(span.until for span in spans),
            )
            .values("closed_on", "currency")
            .annotate(total=Sum("final_amount"))
            .order_by()
            .values_list("closed_on", "currency", "total")
        )
    live = (
        deals.filter(status__in=OPEN_STATUSES + (DealStatus.APPROVED,))
        .values("currency")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
        .values_list("currency", "n", "amount")
    )
    groups: dict = {"pipeline": (currency, [])}
    pipeline_count = 0
    for code, n, amount in live:
        pipeline_count += n
        groups["pipeline"][1].append((amount or Decimal(0), code, today))
    for closed_on, code, total in won:
        for n, span in enumerate(spans):
            if span.since <= closed_on <= span.until:
                groups.setdefault((n, closed_on), (currency, []))[1].append((total, code, closed_on))
    converted = sums_in(groups)
    rows = []
    for n, _span in enumerate(spans):
        days = [total for key, total in converted.items() if key != "pipeline" and key[0] == n]
        rows.append(
            {
                "submitted": counts[f"submitted_{n}"],
                "approved": counts[f"approved_{n}"],
                "won": counts[f"won_{n}"],
                "lost": counts[f"lost_{n}"],
                "won_revenue": sum((amount for amount, _missing in days), Decimal("0.00")),
                "missing": sorted(set().union(*(missing for _amount, missing in days))),
            }
        )
    amount, missing = converted["pipeline"]
    return {"spans": rows, "pipeline": {"count": pipeline_count, "amount": amount, "missing": sorted(missing)}}
