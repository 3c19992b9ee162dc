from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from prm.i18n import TranslatedMixin
from prm.metrics import COUNT, get_metric, is_metric
from prm.tenancy import ScopedQuerySet


class Region(models.TextChoices):
    LATIN_AMERICA = "latam", _("Latin America")
    NORTH_AMERICA = "north_america", _("North America")
    EUROPE = "europe", _("Europe")
    MIDDLE_EAST_AFRICA = "mea", _("Middle East and Africa")
    ASIA_PACIFIC = "apac", _("Asia Pacific")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    RETAIL = "retail", _("Retail")
    FINANCE = "finance", _("Financial services")
    HEALTHCARE = "healthcare", _("Healthcare")
    PUBLIC = "public", _("Public sector")
    EDUCATION = "education", _("Education")
    TECHNOLOGY = "technology", _("Technology")
    ENERGY = "energy", _("Energy and utilities")
    SERVICES = "services", _("Professional services")
    OTHER = "other", _("Other")


class CompanySize(models.TextChoices):
    MICRO = "1-9", _("1–9 people")
    SMALL = "10-49", _("10–49 people")
    MEDIUM = "50-249", _("50–249 people")
    LARGE = "250-999", _("250–999 people")
    ENTERPRISE = "1000+", _("1,000 people or more")


class SpokenLanguage(models.TextChoices):
    ENGLISH = "en", _("English")
    PORTUGUESE = "pt", _("Portuguese")
    FRENCH = "fr", _("French")
    SPANISH = "es", _("Spanish")
    GERMAN = "de", _("German")
    ITALIAN = "it", _("Italian")


def choice_array(choices, verbose_name):
    return ArrayField(
        models.CharField(max_length=20, choices=choices), verbose_name=verbose_name, default=list, blank=True
    )


class Specialty(TranslatedMixin, models.Model):
    """A product or service specialty (staff-managed list)."""

    name_en = models.CharField(_("name (English)"), max_length=100)
    name_pt_br = models.CharField(_("name (Portuguese)"), max_length=100, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["name_en"]

    def __str__(self):
        return self.tr("name")


class Program(models.Model):
    """The partner program: its rules, business calendar and tiers."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar", verbose_name=_("business calendar"), on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    application_review_days = models.PositiveSmallIntegerField(
        _("application review time (business days)"), default=5, validators=[MinValueValidator(1)]
    )
    onboarding_stall_days = models.PositiveSmallIntegerField(
        _("onboarding stall alert (business days without progress)"), default=10, validators=[MinValueValidator(1)]
    )
    # The vendor's branding (partners.services.branding): the portal, the public pages and the e-mails.
    logo = models.FileField(_("logo"), upload_to="program-logos/", blank=True)
    favicon = models.FileField(_("favicon"), upload_to="program-logos/", blank=True)
    primary_color = models.CharField(
        _("primary colour"), max_length=7, default="#066fd1", help_text=_("Buttons, links and the e-mail header.")
    )
    accent_color = models.CharField(
        _("accent colour"), max_length=7, default="#b45309", help_text=_("The current page in the navigation.")
    )

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self):
        return self.name


class ProgramPage(TranslatedMixin, models.Model):
    """The public landing page of the program, written by channel marketing in each language."""

    program = models.OneToOneField(Program, on_delete=models.CASCADE, related_name="page")
    headline_en = models.CharField(_("headline (English)"), max_length=200)
    headline_pt_br = models.CharField(_("headline (Portuguese)"), max_length=200, blank=True)
    headline_fr = models.CharField(_("headline (French)"), max_length=200, blank=True)
    mission_en = models.TextField(_("shared mission (English)"))
    mission_pt_br = models.TextField(_("shared mission (Portuguese)"), blank=True)
    mission_fr = models.TextField(_("shared mission (French)"), blank=True)
    value_proposition_en = models.TextField(_("value proposition (English)"))
    value_proposition_pt_br = models.TextField(_("value proposition (Portuguese)"), blank=True)
    value_proposition_fr = models.TextField(_("value proposition (French)"), blank=True)
    welcome_en = models.TextField(_("executive welcome (English)"))
    welcome_pt_br = models.TextField(_("executive welcome (Portuguese)"), blank=True)
    welcome_fr = models.TextField(_("executive welcome (French)"), blank=True)
    welcome_author = models.CharField(_("welcome signed by"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("program page")
        verbose_name_plural = _("program pages")

    def __str__(self):
        return str(self.program)


class Tier(TranslatedMixin, models.Model):
    """A program tier: what it takes (requirements) and what it gives (benefits)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name (English)"), max_length=100)
    name_pt_br = models.CharField(_("name (Portuguese)"), max_length=100, blank=True)
    name_fr = models.CharField(_("name (French)"), max_length=100, blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the entry tier."))
    # Requirements: TierRequirement rows. Benefits:
    deal_discount_percent = models.DecimalField(
        _("deal registration discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    mdf_eligible = models.BooleanField(_("eligible for MDF"), default=False)
    lead_weight = models.PositiveSmallIntegerField(_("lead distribution weight"), default=1)
    benefits_en = models.TextField(_("other benefits (English)"), blank=True)
    benefits_pt_br = models.TextField(_("other benefits (Portuguese)"), blank=True)
    benefits_fr = models.TextField(_("other benefits (French)"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["program", "rank"]
        constraints = [models.UniqueConstraint(fields=["program", "rank"], name="tier_unique_rank")]

    def __str__(self):
        return self.tr("name")

    @property
    def name_en(self):
        return self.name


def validate_metric(name: str) -> None:
    """A requirement's metric must be one the apps registered (``prm.metrics``)."""
    if not is_metric(name):
        raise ValidationError(_("Unknown metric: %(name)s."), code="unknown_metric", params={"name": name})


class TierRequirement(models.Model):
    """What a tier takes: a threshold of one metric, measured over the trailing 12 months. The metric
    is a name in the registry of ``prm.metrics``, so any app can offer one without a migration here."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="requirements")
    metric = models.CharField(_("metric"), max_length=100, validators=[validate_metric])
    threshold = models.DecimalField(_("threshold"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])

    class Meta:
        verbose_name = _("tier requirement")
        verbose_name_plural = _("tier requirements")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["tier", "metric"], name="tier_requirement_unique_metric")]

    def __str__(self):
        label = get_metric(self.metric).label if is_metric(self.metric) else self.metric
        return f"{label} ≥ {self.threshold.normalize():f}"

    def clean(self):
        super().clean()
        if (
            is_metric(self.metric)
            and get_metric(self.metric).unit == COUNT
            and self.threshold is not None
            and self.threshold != self.threshold.to_integral_value()
        ):
            raise ValidationError({"threshold": _("This metric counts: give a whole number.")})


class PartnerQuerySet(ScopedQuerySet):
    partner_path = "pk"


class Partner(models.Model):
    """A partner organisation (reseller, integrator, agency)."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. BR"))
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), null=True, blank=True, on_delete=models.PROTECT)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Company profile
    website = models.URLField(_("website"), blank=True)
    email_domain = models.CharField(_("company email domain"), max_length=253, blank=True, db_index=True)
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    tax_id_normalized = models.CharField(max_length=40, blank=True, db_index=True, editable=False)
    name_normalized = models.CharField(max_length=200, blank=True, editable=False)
    description = models.TextField(_("description"), blank=True)
    company_size = models.CharField(_("company size"), max_length=10, choices=CompanySize.choices, blank=True)
    regions = choice_array(Region.choices, _("regions served"))
    industries = choice_array(Industry.choices, _("industries"))
    languages = choice_array(SpokenLanguage.choices, _("languages spoken"))
    specialties = models.ManyToManyField(Specialty, verbose_name=_("specialties"), blank=True)
    logo = models.FileField(_("logo"), upload_to="partner-logos/", blank=True)
    publish_in_locator = models.BooleanField(_("publish in the partner locator"), default=False)
    # The company's dashboard is read by its admins and executives; by its sales and marketing users
    # only when an admin shares it.
    dashboard_shared = models.BooleanField(_("dashboard shared with the whole team"), default=False)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        permissions = [
            ("manage_partner", _("Look after this partner (channel account manager)")),
            ("view_all_partners", _("See every partner")),
            ("set_tier", _("Set a partner's tier")),
        ]
        indexes = [
            GinIndex(name="partner_name_trgm", fields=["name_normalized"], opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return self.name


class PartnerRole(models.TextChoices):
    ADMIN = "admin", _("Partner admin")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    EXECUTIVE = "executive", _("Executive")


class Membership(models.Model):
    """Ties a user to at most one partner, with a partner role."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self):
        return f"{self.user} @ {self.partner} ({self.get_role_display()})"


class PartnerUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grants on partners (CAM assignment)."""

    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)


class PartnerGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Partner, on_delete=models.CASCADE)


class AddressKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("Head office")
    BILLING = "billing", _("Billing")
    BRANCH = "branch", _("Branch")


class PartnerAddress(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="addresses")
    kind = models.CharField(_("kind"), max_length=20, choices=AddressKind.choices, default=AddressKind.HEAD_OFFICE)
    line1 = models.CharField(_("address"), max_length=200)
    line2 = models.CharField(_("address (continued)"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    state = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["partner", "kind", "id"]

    def __str__(self):
        return f"{self.line1}, {self.city} ({self.country})"


class CamTerritory(models.Model):
    """A country a channel account manager covers (round-robin assignment of new partners)."""

    cam = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="territories",
        limit_choices_to={"is_staff": True},
    )
    country = models.CharField(_("country"), max_length=2)

    class Meta:
        verbose_name = _("CAM territory")
        verbose_name_plural = _("CAM territories")
        constraints = [models.UniqueConstraint(fields=["cam", "country"], name="cam_territory_unique")]

    def __str__(self):
        return f"{self.cam} · {self.country}"


class Invitation(models.Model):
    """An invitation to set a password and join a partner. The link works once and expires."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.user} → {self.partner}"
