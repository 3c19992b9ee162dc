"""Deal registration: house accounts, program settings and deals (their products are the ``catalogue`` app's).

Exclusivity: an approved deal protects its customer (``customer_key``) from ``approved_at`` until
``protected_until``. Whether it protects at a given moment is computed from those dates
(``Deal.objects.protecting(at)``), never from a flag. The database holds the guarantee: an
exclusion constraint forbids two approved deals of the same customer key with overlapping
protection ranges, so concurrent approvals cannot both commit. A deal closed as won or lost
no longer protects its customer (the sale is over); only ``approved`` rows take part.
"""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.functions import Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prm.choices import ChoiceLabels
from prm.money.currencies import Currency
from prm.sla.latest import LatestClock
from prm.tenancy import ScopedQuerySet


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class HouseAccount(models.Model):
    """A customer reserved for direct sales: never open to partner registration."""

    company_name = models.CharField(_("company name"), max_length=200)
    name_normalized = models.CharField(max_length=200, editable=False, db_index=True)
    email_domain = models.CharField(_("email domain"), max_length=253, blank=True, db_index=True)
    tax_id = models.CharField(_("tax ID"), max_length=60, blank=True)
    tax_id_normalized = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    country = models.CharField(_("country"), max_length=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_name"]
        verbose_name = _("house account")
        verbose_name_plural = _("house accounts")
        indexes = [GinIndex(name="houseaccount_name_trgm", fields=["name_normalized"], opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.company_name


class DealProgramSettings(models.Model):
    """The deal registration rules of a program."""

    program = models.OneToOneField("partners.Program", on_delete=models.CASCADE, related_name="deal_settings")
    decision_days = models.PositiveSmallIntegerField(_("decision time (business days)"), default=2)
    protection_days = models.PositiveSmallIntegerField(_("protection period (days)"), default=90)
    extension_days = models.PositiveSmallIntegerField(_("extension (days)"), default=30)
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=1)
    second_approval_amount = models.DecimalField(
        _("second approval above"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Deals above this amount also need a channel manager's approval. Empty: never."),
    )
    conflict_threshold = models.DecimalField(
        _("name similarity for a conflict"), max_digits=3, decimal_places=2, default=Decimal("0.60")
    )
    auto_approve_on_breach = models.BooleanField(
        _("approve automatically on breach when there is no conflict"), default=False
    )

    class Meta:
        verbose_name = _("deal registration settings")
        verbose_name_plural = _("deal registration settings")

    def __str__(self):
        return str(self.program)


class DealStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")
    INFO_REQUESTED = "info_requested", _("more information requested")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")
    WON = "won", _("won")
    LOST = "lost", _("lost")
    EXPIRED = "expired", _("expired")


# The only status changes a deal may make. Services consult it; anything else is an error.
DEAL_TRANSITIONS: dict[str, frozenset[str]] = {
    DealStatus.DRAFT: frozenset({DealStatus.SUBMITTED}),
    DealStatus.SUBMITTED: frozenset({DealStatus.INFO_REQUESTED, DealStatus.APPROVED, DealStatus.REJECTED}),
    DealStatus.INFO_REQUESTED: frozenset({DealStatus.SUBMITTED, DealStatus.REJECTED}),
    DealStatus.APPROVED: frozenset({DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED}),
    DealStatus.REJECTED: frozenset(),
    DealStatus.WON: frozenset(),
    DealStatus.LOST: frozenset(),
    DealStatus.EXPIRED: frozenset(),
}

OPEN_STATUSES = (DealStatus.SUBMITTED, DealStatus.INFO_REQUESTED)
LIVE_STATUSES = (*OPEN_STATUSES, DealStatus.APPROVED)  # the deals that can still conflict

# The clocks of a deal on the platform SLA engine (deadline kinds).
DECISION_KIND = "deal.decision"
PROTECTION_KIND = "deal.protection"
CLOSED_STATUSES = (DealStatus.REJECTED, DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED)


class DealStage(models.TextChoices):
    """Where the partner's sale stands once the registration is approved (the partner keeps it up to date)."""

    QUALIFICATION = "qualification", _("qualification")
    PROPOSAL = "proposal", _("proposal")
    NEGOTIATION = "negotiation", _("negotiation")
    COMMIT = "commit", _("commit")


def reason_display(reason: str) -> str:
    if reason == "conflict":
        return str(_("another registration of this customer was approved"))
    return reason


# The condition of the partial indexes that conflict matching reads (see open_or_protecting).
_LIVE = Q(status__in=["submitted", "info_requested", "approved"])


class DealQuerySet(ScopedQuerySet):
    def protecting(self, at=None):
        """Deals whose protection covers the moment ``at`` (now by default)."""
        at = at or timezone.now()
        return self.filter(status=DealStatus.APPROVED, approved_at__lte=at, protected_until__gt=at)

    def open_or_protecting(self, at=None):
        """Deals awaiting a decision, or approved and protecting at ``at``.

        The status list comes first on its own, the condition of the partial indexes of live deals,
        so that the planner reads those indexes alone."""
        at = at or timezone.now()
        return self.filter(status__in=LIVE_STATUSES).filter(
            Q(status__in=OPEN_STATUSES) | Q(approved_at__lte=at, protected_until__gt=at)
        )


class Deal(ChoiceLabels, models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.PROTECT, related_name="deals")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    customer_company = models.CharField(_("customer company"), max_length=200)
    customer_name_normalized = models.CharField(max_length=200, editable=False)
    customer_email = models.EmailField(_("customer contact email"), blank=True)
    customer_email_domain = models.CharField(max_length=253, blank=True, editable=False)
    customer_tax_id = models.CharField(_("customer tax ID"), max_length=60, blank=True)
    customer_tax_id_normalized = models.CharField(max_length=40, blank=True, editable=False)
    customer_country = models.CharField(_("customer country"), max_length=2)
    customer_key = models.CharField(max_length=210, editable=False)
    products = models.ManyToManyField("catalogue.Product", blank=True, related_name="deals", verbose_name=_("products"))
    amount = models.DecimalField(_("estimated amount"), max_digits=14, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices, default=Currency.USD)
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DealStatus.choices, default=DealStatus.DRAFT)
    stage = models.CharField(_("sales stage"), max_length=20, choices=DealStage.choices, blank=True)
    conflict_flag = models.BooleanField(_("conflict review"), default=False)
    conflict_check_failed = models.BooleanField(_("conflict check failed"), default=False)
    info_question = models.TextField(_("question to the partner"), blank=True)
    info_answer = models.TextField(_("partner's answer"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_approved_at = models.DateTimeField(null=True, blank=True)
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    protected_until = models.DateTimeField(_("protected until"), null=True, blank=True)
    extensions_used = models.PositiveSmallIntegerField(_("extensions used"), default=0)
    extension_requested_at = models.DateTimeField(_("extension requested"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    final_amount = models.DecimalField(_("final amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    closed_on = models.DateField(_("close date"), null=True, blank=True)
    # The moment the registration was closed: won, lost or rejected (an expired one ends at protected_until).
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DealQuerySet.as_manager()
    # The latest decision clock (``prefetch_related("decision_clock")`` for a list; prm/sla/latest.py).
    decision_clock = LatestClock(DECISION_KIND)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("deal registration")
        verbose_name_plural = _("deal registrations")
        permissions = [
            ("approve_deal", _("Approve or reject deal registrations of partners in scope")),
            ("approve_deal_second", _("Give the second approval of large deal registrations")),
        ]
        indexes = [
            # Conflict matching reads only the registrations that can still conflict (open or approved):
            # a partial trigram index stays small as closed registrations pile up.
            GinIndex(
                name="deal_live_name_trgm",
                fields=["customer_name_normalized"],
                opclasses=["gin_trgm_ops"],
                condition=_LIVE,
            ),
            # Exact matches of conflict checking, on live deals only (closed ones never conflict).
            models.Index(fields=["customer_email_domain"], name="deal_live_email_domain", condition=_LIVE),
            models.Index(fields=["customer_tax_id_normalized"], name="deal_live_tax_id", condition=_LIVE),
            models.Index(fields=["customer_key"], name="deal_customer_key"),
            models.Index(fields=["partner", "status"], name="deal_partner_status"),
            # Lists: newest first, per partner (partner pages) and overall (staff).
            # With the customer's company and email: a partner's search reads its newest rows from the
            # index alone (prm.listing.NewestMatches).
            models.Index(
                fields=["partner", "-created_at", "-id"],
                name="deal_partner_created",
                include=["customer_company", "customer_email"],
            ),
            models.Index(fields=["-created_at", "-id"], name="deal_created"),
            models.Index(fields=["status", "customer_country"], name="deal_status_country"),
            # Searches (the header's search box, the lists' search field): ``__icontains`` is
            # ``UPPER(column::text) LIKE UPPER('%text%')`` on PostgreSQL, so the trigram indexes are on
            # that very expression (the planner uses an expression index only for an identical one).
            GinIndex(OpClass(Upper("customer_company"), name="gin_trgm_ops"), name="deal_company_search_trgm"),
            GinIndex(OpClass(Upper("customer_email"), name="gin_trgm_ops"), name="deal_email_search_trgm"),
        ]
        constraints = [
            ExclusionConstraint(
                name="deal_one_protection_per_customer",
                expressions=[
                    ("customer_key", RangeOperators.EQUAL),
                    (TsTzRange(F("approved_at"), F("protected_until")), RangeOperators.OVERLAPS),
                ],
                condition=Q(status="approved"),
                violation_error_message=_("Another registration already protects this customer."),
            ),
            models.CheckConstraint(
                name="deal_approved_has_protection",
                condition=~Q(status="approved") | Q(approved_at__isnull=False, protected_until__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.customer_company} ({self.get_status_display()})"

    @property
    def decision_reason_display(self) -> str:
        """The reason of a rejection or loss, in the reader's language when it is the conflict code."""
        return reason_display(self.decision_reason)

    @property
    def awaiting_second_approval(self) -> bool:
        return self.status in OPEN_STATUSES and self.first_approver_id is not None

    def is_protecting(self, at=None) -> bool:
        at = at or timezone.now()
        return (
            self.status == DealStatus.APPROVED
            and self.approved_at is not None
            and self.approved_at <= at < self.protected_until
        )


class PartnerStatusCount(models.Model):
    """How many registrations a partner has in a status. Kept by triggers on the deal table in the
    transaction of each write (``deals.figures``, ADR 0015); never written by the application."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique key leads with it
    status = models.CharField(max_length=20, choices=DealStatus.choices)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "status"], name="deal_status_count_key")]

    def __str__(self):
        return f"{self.partner_id} {self.status}: {self.count}"


class PartnerDealDay(models.Model):
    """A partner's registrations of one calendar day and currency: submitted and approved that day
    (dates in ``settings.TIME_ZONE``), closed as won with that close date (``priced``: those with a
    final amount, summed in ``won_amount``), closed as lost and rejected that day (``closed_at``).
    ``decided``: the approvals of the day (``approved_at``, whatever became of them since) and its
    rejections (``closed_at``) of registrations that were submitted; ``decision_seconds``: the sum of
    their whole seconds from submission to that decision (the average is ``decision_seconds /
    decided``). Kept by triggers like ``PartnerStatusCount``."""

    partner = models.ForeignKey(
        "partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False
    )  # the unique key leads with it
    day = models.DateField()
    currency = models.CharField(max_length=3)
    submitted = models.IntegerField(default=0)
    approved = models.IntegerField(default=0)
    won = models.IntegerField(default=0)
    priced = models.IntegerField(default=0)
    won_amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    lost = models.IntegerField(default=0)
    rejected = models.IntegerField(default=0)
    decided = models.IntegerField(default=0)
    decision_seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "day", "currency"], name="deal_day_key")]

    def __str__(self):
        return f"{self.partner_id} {self.day} {self.currency}"


class PartnerWonRevenue(models.Model):
    """A partner's won revenue of the trailing year in its program's currency, converted once by a
    task (``deals.won_revenue``) rather than at every visit of its home page. ``version`` is raised,
    and the row marked ``stale``, by triggers in the transaction of any change of the partner's
    ``PartnerDealDay`` rows or of any exchange rate; the task writes a figure only over the version
    it read. A page uses the row while it is fresh: not stale, of today's period, in the program's
    currency; otherwise it converts as before."""

    partner = models.OneToOneField("partners.Partner", on_delete=models.CASCADE, primary_key=True, related_name="+")
    since = models.DateField(null=True)  # the first day of the period (``Period.trailing(days)``)
    days = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    amount = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))
    missing = models.JSONField(default=list)  # [currency, ISO date] pairs without a rate
    stale = models.BooleanField(default=True)
    version = models.BigIntegerField(default=0)
    computed_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.partner_id} {self.amount} {self.currency}"
