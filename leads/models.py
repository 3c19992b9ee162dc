"""Lead distribution: leads, assignment rules, assignments with their explanation, program settings.

A lead belongs to at most one partner at a time: ``Lead.partner`` is the partner of its current
assignment (the ``LeadAssignment`` row without ``ended_at``), or null while the lead is in the
vendor pool. The database holds the guarantee that a lead has at most one current assignment (a
partial unique constraint), so two concurrent routing runs, or a reassignment racing an
acceptance, cannot both commit an owner. See docs/adr/0007-lead-routing.md.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partners.models import CompanySize, Industry, Region
from prm.choices import ChoiceLabels
from prm.sla.latest import LatestClock
from prm.tenancy import ScopedQuerySet, partner_scope_q, sees_all_partners


def _choice_array(choices, verbose_name, max_length=20):
    return ArrayField(
        models.CharField(max_length=max_length, choices=choices),
        verbose_name=verbose_name,
        default=list,
        blank=True,
    )


class LeadRating(models.TextChoices):
    A = "A", _("A (hot)")
    B = "B", _("B (warm)")
    C = "C", _("C (cold)")


class LeadStatus(models.TextChoices):
    POOL = "pool", _("in the vendor pool")
    OFFERED = "offered", _("awaiting acceptance")
    ACCEPTED = "accepted", _("accepted")
    CONTACTED = "contacted", _("contacted")
    QUALIFIED = "qualified", _("qualified")
    CONVERTED = "converted", _("converted")
    LOST = "lost", pgettext_lazy("lead status", "lost")


# Statuses in which a partner holds the lead (they count against its capacity).
WORKING_STATUSES = (LeadStatus.ACCEPTED, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
HELD_STATUSES = (LeadStatus.OFFERED, *WORKING_STATUSES)
CLOSED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.LOST)

# The only status changes a lead may make. Services consult it; anything else is an error.
# offered -> offered is a reassignment (after a decline, a lapse, or by staff); held -> pool is a
# return to the vendor pool (too many reassignments, no candidate left, or by staff).
LEAD_TRANSITIONS: dict[str, frozenset[str]] = {
    LeadStatus.POOL: frozenset({LeadStatus.OFFERED}),
    LeadStatus.OFFERED: frozenset({LeadStatus.OFFERED, LeadStatus.ACCEPTED, LeadStatus.POOL}),
    LeadStatus.ACCEPTED: frozenset({LeadStatus.CONTACTED, LeadStatus.LOST, LeadStatus.OFFERED, LeadStatus.POOL}),
    LeadStatus.CONTACTED: frozenset(
        {LeadStatus.QUALIFIED, LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.OFFERED, LeadStatus.POOL}
    ),
    LeadStatus.QUALIFIED: frozenset({LeadStatus.CONVERTED, LeadStatus.LOST, LeadStatus.OFFERED, LeadStatus.POOL}),
    LeadStatus.CONVERTED: frozenset(),
    LeadStatus.LOST: frozenset(),
}

# The clocks of a lead on the platform SLA engine (deadline kinds).
ACCEPTANCE_KIND = "lead.acceptance"
FIRST_CONTACT_KIND = "lead.first_contact"


class DeclineReason(models.TextChoices):
    OUTSIDE_TERRITORY = "outside_territory", _("outside our territory")
    NO_CAPACITY = "no_capacity", _("no capacity at the moment")
    NO_EXPERTISE = "no_expertise", _("not our product or industry expertise")
    EXISTING_RELATIONSHIP = "existing_relationship", _("conflict with an existing customer relationship")
    TOO_SMALL = "too_small", _("opportunity too small for us")
    OTHER = "other", _("other")


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("round-robin")
    WEIGHTED = "weighted", _("weighted by tier and performance")
    NEAREST = "nearest", _("nearest partner")
    MANUAL = "manual", _("assigned by hand")


class AssignmentOutcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    LAPSED = "lapsed", _("not answered in time")
    RECALLED = "recalled", _("reassigned by staff")
    RETURNED = "returned", _("returned to the pool")
    CONVERTED = "converted", _("converted")
    LOST = "lost", pgettext_lazy("lead status", "lost")


# Outcomes that exclude the partner from being offered the same lead again.
EXCLUDING_OUTCOMES = (AssignmentOutcome.DECLINED, AssignmentOutcome.LAPSED)


class LeadProgramSettings(models.Model):
    """The lead distribution rules of a program."""

    program = models.OneToOneField("partners.Program", on_delete=models.CASCADE, related_name="lead_settings")
    acceptance_days = models.PositiveSmallIntegerField(_("time to accept (business days)"), default=2)
    first_contact_days_a = models.PositiveSmallIntegerField(_("first contact of A leads (business days)"), default=2)
    first_contact_days_b = models.PositiveSmallIntegerField(_("first contact of B leads (business days)"), default=5)
    first_contact_days_c = models.PositiveSmallIntegerField(_("first contact of C leads (business days)"), default=5)
    max_open_leads = models.PositiveIntegerField(
        _("open leads per partner at most"),
        null=True,
        blank=True,
        default=50,
        help_text=_("Offered or worked leads a partner may hold at once. Empty: no limit."),
    )
    max_reassignments = models.PositiveSmallIntegerField(
        _("reassignments before the lead returns to the pool"), default=3
    )

    class Meta:
        verbose_name = _("lead distribution settings")
        verbose_name_plural = _("lead distribution settings")

    def __str__(self):
        return str(self.program)

    def first_contact_days(self, rating: str) -> int:
        return {
            LeadRating.A: self.first_contact_days_a,
            LeadRating.B: self.first_contact_days_b,
            LeadRating.C: self.first_contact_days_c,
        }[rating]


class AssignmentRule(models.Model):
    """An ordered rule: which leads it takes (criteria) and from which partners it picks (pool).

    An empty criterion matches any lead; an empty pool filter admits any partner."""

    name = models.CharField(_("name"), max_length=200)
    order = models.PositiveIntegerField(_("order"), default=100, help_text=_("Rules are tried from the lowest."))
    is_active = models.BooleanField(_("active"), default=True)
    # Criteria on the lead
    countries = ArrayField(models.CharField(max_length=2), verbose_name=_("lead countries"), default=list, blank=True)
    regions = ArrayField(
        models.CharField(max_length=100), verbose_name=_("lead regions or states"), default=list, blank=True
    )
    industries = _choice_array(Industry.choices, _("lead industries"))
    products = models.ManyToManyField(
        "catalogue.Product", verbose_name=_("product interests"), blank=True, related_name="+"
    )
    company_sizes = _choice_array(CompanySize.choices, _("company sizes"), max_length=10)
    ratings = _choice_array(LeadRating.choices, _("ratings"), max_length=1)
    # The partner pool
    min_tier_rank = models.PositiveSmallIntegerField(_("minimum tier rank"), null=True, blank=True)
    specialties = models.ManyToManyField(
        "partners.Specialty",
        verbose_name=_("partner specialties"),
        blank=True,
        related_name="+",
        help_text=_("The partner has at least one of them."),
    )
    partner_countries = ArrayField(
        models.CharField(max_length=2), verbose_name=_("partner countries"), default=list, blank=True
    )
    partner_regions = _choice_array(Region.choices, _("regions served by the partner"))
    strategy = models.CharField(
        _("strategy"),
        max_length=20,
        choices=[c for c in AssignmentStrategy.choices if c[0] != AssignmentStrategy.MANUAL],
        default=AssignmentStrategy.ROUND_ROBIN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("assignment rule")
        verbose_name_plural = _("assignment rules")
        indexes = [models.Index(fields=["order", "id"], condition=Q(is_active=True), name="leadrule_active_order")]

    def __str__(self):
        return self.name


class RuleCursor(models.Model):
    """The persistent round-robin position of a rule: the partner that received its last lead.

    Kept apart from the rule so that editing a rule never overwrites the position."""

    rule = models.OneToOneField(AssignmentRule, on_delete=models.CASCADE, primary_key=True, related_name="cursor")
    last_partner_id = models.BigIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("round-robin position")
        verbose_name_plural = _("round-robin positions")

    def __str__(self):
        return f"{self.rule_id}: {self.last_partner_id}"


class PartnerLocation(models.Model):
    """Where a partner is, for the nearest strategy (coordinates and region or state)."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, primary_key=True, related_name="lead_location"
    )
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    region = models.CharField(_("region or state"), max_length=100, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner location")
        verbose_name_plural = _("partner locations")

    def __str__(self):
        return str(self.partner_id)


class LeadQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Staff who see every partner see every lead, the vendor pool included. Everybody else sees
        only the leads currently assigned to a partner in their scope: a pool lead has no partner
        and is never in a partner user's or a CAM's scope."""
        if sees_all_partners(user):
            return self.all()
        return self.filter(partner__isnull=False).filter(partner_scope_q(user, self.partner_path))

    def held(self):
        return self.filter(status__in=HELD_STATUSES)


class Lead(ChoiceLabels, models.Model):
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("partner"),
        help_text=_("Empty while the lead is in the vendor pool."),
        db_index=False,  # lead_partner_inbox starts with the partner
    )
    contact_name = models.CharField(_("contact name"), max_length=200)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=200)
    company_size = models.CharField(_("company size"), max_length=10, choices=CompanySize.choices, blank=True)
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region or state"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="leads",
        verbose_name=_("product interest"),
    )
    rating = models.CharField(_("rating"), max_length=1, choices=LeadRating.choices, default=LeadRating.B)
    source = models.CharField(_("source"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.POOL)
    rule = models.ForeignKey(
        AssignmentRule,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rule used"),
    )
    reassignments = models.PositiveSmallIntegerField(_("reassignments"), default=0)
    lost_reason = models.TextField(_("reason the lead was lost"), blank=True)
    deal = models.OneToOneField(
        "deals.Deal",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lead",
        verbose_name=_("deal registration"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    contacted_at = models.DateTimeField(_("contacted"), null=True, blank=True)
    qualified_at = models.DateTimeField(_("qualified"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()
    # The latest acceptance and first-contact clocks (``prefetch_related`` them for a list; prm/sla/latest.py).
    acceptance_clock = LatestClock(ACCEPTANCE_KIND)
    first_contact_clock = LatestClock(FIRST_CONTACT_KIND)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        permissions = [("assign_lead", _("Assign, reassign and return the leads of partners in scope"))]
        indexes = [
            # The partner's inbox (newest first) and the capacity count of the engine.
            models.Index(fields=["partner", "status", "-created_at", "-id"], name="lead_partner_inbox"),
            # The engine's queue: pool leads, oldest first.
            models.Index(fields=["created_at", "id"], condition=Q(status="pool"), name="lead_pool_queue"),
            models.Index(fields=["status", "country"], name="lead_status_country"),
            models.Index(fields=["email"], name="lead_email"),
            models.Index(fields=["-created_at", "-id"], name="lead_created"),
        ]
        constraints = [
            models.CheckConstraint(
                name="lead_held_has_partner",
                condition=Q(status="pool", partner__isnull=True) | (~Q(status="pool") & Q(partner__isnull=False)),
            ),
            models.CheckConstraint(name="lead_rating_valid", condition=Q(rating__in=["A", "B", "C"])),
        ]

    def __str__(self):
        return f"{self.company} ({self.get_status_display()})"

    @property
    def is_vendor_sourced_deal(self) -> bool:
        return self.deal_id is not None


class LeadAssignment(models.Model):
    """One offer of a lead to a partner: who, when, by whom (or the rules) and why.

    ``ended_at`` is empty while it is the lead's current assignment (offered or accepted)."""

    # No single-column indexes: leadassign_lead and leadassign_partner_at start with these columns.
    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="assignments", db_index=False)
    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.PROTECT, related_name="lead_assignments", db_index=False
    )
    rule = models.ForeignKey(AssignmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    strategy = models.CharField(_("strategy"), max_length=20, choices=AssignmentStrategy.choices)
    assigned_at = models.DateTimeField(_("assigned"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
        help_text=_("Empty: the assignment rules."),
    )
    explanation = models.JSONField(_("why this partner"), default=dict, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=AssignmentOutcome.choices, blank=True)
    decline_reason = models.CharField(_("decline reason"), max_length=30, choices=DeclineReason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-assigned_at", "-pk"]
        verbose_name = _("lead assignment")
        verbose_name_plural = _("lead assignments")
        indexes = [
            models.Index(fields=["lead", "-assigned_at"], name="leadassign_lead"),
            # The performance statistics of the weighted strategy (last 180 days per partner).
            models.Index(fields=["partner", "assigned_at"], name="leadassign_partner_at"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead"], condition=Q(ended_at__isnull=True), name="leadassign_one_current_per_lead"
            ),
            models.CheckConstraint(
                name="leadassign_ended_has_outcome",
                condition=Q(ended_at__isnull=True) | ~Q(outcome=""),
            ),
        ]

    def __str__(self):
        return f"{self.lead_id} → {self.partner_id} ({self.get_strategy_display()})"


class LeadImportState(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class LeadImport(models.Model):
    """A CSV file of leads uploaded by staff and its progress, processed by a Celery task in batches.

    ``processed`` is the number of data rows handled; it moves in the same transaction as the leads
    and error rows of each batch, so after a crash the task resumes right after the last committed
    batch (see leads/imports/)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Stored under MEDIA_ROOT, never served: only the task reads it.
    file = models.FileField(_("file"), upload_to="lead-imports/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    delimiter = models.CharField(max_length=1, default=",")
    language = models.CharField(_("language of the messages"), max_length=10, blank=True)
    assign = models.BooleanField(_("assign by the rules"), default=False)
    state = models.CharField(_("state"), max_length=10, choices=LeadImportState.choices, default=LeadImportState.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed = models.PositiveIntegerField(_("processed"), default=0)
    imported = models.PositiveIntegerField(_("imported"), default=0)
    duplicates = models.PositiveIntegerField(_("duplicates"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    assigned = models.PositiveIntegerField(_("assigned by the rules"), default=0)
    runs = models.PositiveSmallIntegerField(_("runs"), default=0, help_text=_("More than one: the import resumed."))
    error = models.TextField(_("why the import failed"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("lead import")
        verbose_name_plural = _("lead imports")
        indexes = [models.Index(fields=["state", "updated_at"], name="leadimport_state")]

    def __str__(self):
        return f"{self.original_name or self.pk} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in (LeadImportState.QUEUED, LeadImportState.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == LeadImportState.DONE:
            return 100
        return min(100, int(self.processed * 100 / self.total_rows)) if self.total_rows else 0


class LeadImportError(models.Model):
    """A row of an import that was not imported: invalid, or a duplicate of an open lead."""

    job = models.ForeignKey(LeadImport, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.CharField(_("value"), max_length=200, blank=True)
    message = models.CharField(_("error"), max_length=500)
    is_duplicate = models.BooleanField(default=False)

    class Meta:
        ordering = ["job", "row", "pk"]
        verbose_name = _("lead import error")
        verbose_name_plural = _("lead import errors")
        indexes = [models.Index(fields=["job", "row"], name="leadimporterror_job_row")]

    def __str__(self):
        return f"{self.job_id}:{self.row} {self.column}"
