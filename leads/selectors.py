"""Reads of lead distribution: scoped lists, the partner's inbox, what a viewer may read of a lead,
and the assignment history with its explanations (staff only)."""

from __future__ import annotations

from django.db.models import Aggregate, Count, F, FloatField, Q

from prm.sla.display import ClockState, with_clock
from prm.tenancy import is_vendor_staff, membership_of, sees_all_partners

from .models import ACCEPTANCE_KIND, HELD_STATUSES, Lead, LeadAssignment, LeadStatus

# What a partner reads of a lead offered to it, before accepting: enough to decide, not the contact.
PREVIEW_FIELDS = ("id", "status", "company", "country", "industry", "product", "rating")
# What a partner reads once it accepted the lead (internal routing fields stay on the staff side).
PARTNER_FIELDS = (
    *PREVIEW_FIELDS,
    "contact_name",
    "email",
    "phone",
    "company_size",
    "region",
    "city",
    "latitude",
    "longitude",
    "source",
    "notes",
    "lost_reason",
    "deal",
    "offered_at",
    "accepted_at",
    "contacted_at",
    "qualified_at",
    "closed_at",
)
STAFF_FIELDS = (*PARTNER_FIELDS, "partner", "rule", "reassignments", "created_by", "created_at")


def leads_visible_to(user):
    return Lead.objects.visible_to(user).select_related("partner", "product")


def places_pool_leads(user) -> bool:
    """Whether the vendor pool waits on the user: they assign leads and see the pool (a CAM sees only
    the leads of their partners, never the pool)."""
    return user.has_perm("leads.assign_lead") and sees_all_partners(user)


def leads_to_place(user):
    """The leads in the vendor pool, oldest first (the engine's order, index ``lead_pool_queue``),
    with the state and due time of their last acceptance clock (a lapsed offer reads breached); none
    for a user the pool does not wait on."""
    if not places_pool_leads(user):
        return Lead.objects.none()
    leads = leads_visible_to(user).filter(status=LeadStatus.POOL)
    return with_clock(
        leads, kind=ACCEPTANCE_KIND, state_as="sla_state", due_as="sla_due_at", cancelled=ClockState.MET
    ).order_by("created_at", "id")


def lead_fields_for(user, lead: Lead, *, scoped: bool = False) -> tuple[str, ...]:
    """The fields of ``lead`` that ``user`` may read (nothing outside their scope). ``scoped``: the
    lead is a row of ``lead_list(user)``, already in the user's scope, so staff need no query per row."""
    if is_vendor_staff(user):
        return STAFF_FIELDS if scoped or Lead.objects.visible_to(user).filter(pk=lead.pk).exists() else ()
    membership = membership_of(user)
    if membership is None or not membership.partner.is_active or lead.partner_id != membership.partner_id:
        return ()
    return PREVIEW_FIELDS if lead.status == LeadStatus.OFFERED else PARTNER_FIELDS


def lead_visible_fields(user, lead: Lead) -> dict:
    """The readable fields of ``lead`` for ``user``, as a dict (the template's and serializer's source)."""
    values = {}
    for name in lead_fields_for(user, lead):
        if name in ("product", "deal", "partner", "rule", "created_by"):
            values[name] = getattr(lead, f"{name}_id")
        else:
            values[name] = getattr(lead, name)
    return values


INBOX_FILTERS = {
    "offered": Q(status=LeadStatus.OFFERED),
    "open": Q(status__in=(LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)),
    "closed": Q(status__in=(LeadStatus.CONVERTED, LeadStatus.LOST)),
    **{status: Q(status=status) for status in LeadStatus.values},
}


# The columns the inbox may be sorted by: ``?sort=company`` ascending, ``?sort=-company`` descending.
# Any other value keeps the default order, newest first.
INBOX_SORTS = {
    "company": "company",
    "rating": "rating",
    "status": "status",
    "created": "created_at",
}


def lead_list(user, *, status: str = "", sort: str = ""):
    """The user's leads, newest first unless sorted by a column of ``INBOX_SORTS``, with their acceptance
    and first-contact clocks (one query a page each, for the countdowns)."""
    leads = leads_visible_to(user).prefetch_related("acceptance_clock", "first_contact_clock")
    if status in INBOX_FILTERS:
        leads = leads.filter(INBOX_FILTERS[status])
    column = INBOX_SORTS.get((sort or "").removeprefix("-"))
    if column is None:
        return leads.order_by("-created_at", "-pk")
    descending = sort.startswith("-")
    return leads.order_by(f"-{column}" if descending else column, "-pk" if descending else "pk")


def partner_lead_summary(partner) -> dict:
    """The partner home's lead figures: leads awaiting its answer and leads it is working on. One
    query on the inbox index; the leads a partner holds are bounded by its capacity."""
    return Lead.objects.filter(partner=partner, status__in=HELD_STATUSES).aggregate(
        offered=Count("pk", filter=INBOX_FILTERS["offered"]),
        open=Count("pk", filter=INBOX_FILTERS["open"]),
    )


def lead_assignments(user, lead: Lead):
    """The assignment history of a lead with the explanations ("why this partner?"), for staff who
    see the lead. Explanations name competing partners: partner users never read them."""
    if not is_vendor_staff(user) or not Lead.objects.visible_to(user).filter(pk=lead.pk).exists():
        return LeadAssignment.objects.none()
    return LeadAssignment.objects.filter(lead=lead).select_related("partner", "rule", "assigned_by")


def current_assignment(lead: Lead) -> LeadAssignment | None:
    return LeadAssignment.objects.filter(lead=lead, ended_at__isnull=True).select_related("partner", "rule").first()


def search_leads(user, text: str, limit: int):
    """Global search (prm.search): the user's visible leads whose company or contact matches."""
    from django.urls import reverse

    from prm.search import Hit

    staff = is_vendor_staff(user)
    rows = (
        leads_visible_to(user)
        .filter(Q(company__icontains=text) | Q(contact_name__icontains=text) | Q(email__icontains=text))
        .order_by("-created_at", "-pk")[:limit]
    )
    return [
        Hit(
            title=lead.company,
            subtitle=lead.contact_name,
            url=reverse("admin:leads_lead_change", args=[lead.pk]) if staff else reverse("lead_detail", args=[lead.pk]),
            status=lead.status,
            status_label=lead.get_status_display(),
        )
        for lead in rows
    ]


# --- The dashboards' live figures (analytics) ---------------------------------------------------------


class _MedianSeconds(Aggregate):
    """The median of an interval, in seconds."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM %(expressions)s))"
    output_field = FloatField()


def median_seconds_to_accept(partner_ids, period) -> dict[int, float]:
    """``{partner_id: seconds}``: the median time from an offer to its acceptance, of the offers the
    partners accepted in the period (``prm.metrics.Period``). One query."""
    accepted = LeadAssignment.objects.filter(period.moments("accepted_at"), partner_id__in=list(partner_ids))
    rows = (
        accepted.values("partner_id")
        .annotate(median=_MedianSeconds(F("accepted_at") - F("assigned_at")))
        .order_by()
        .values_list("partner_id", "median")
    )
    return {partner_id: median for partner_id, median in rows if median is not None}
