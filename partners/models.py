from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from prm.tenancy import ScopedQuerySet


class Program(models.Model):
    """The partner program: its rules, business calendar and tiers."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    calendar = models.ForeignKey(
        "sla.BusinessCalendar", verbose_name=_("business calendar"), on_delete=models.PROTECT, related_name="+"
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")

    class Meta:
        verbose_name = _("program")
        verbose_name_plural = _("programs")

    def __str__(self):
        return self.name


class Tier(models.Model):
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="tiers")
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), help_text=_("1 is the entry tier."))
    requirements = models.TextField(_("requirements"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True)

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["program", "rank"]
        constraints = [models.UniqueConstraint(fields=["program", "rank"], name="tier_unique_rank")]

    def __str__(self):
        return self.name


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

    objects = PartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["name"]
        permissions = [
            ("manage_partner", _("Look after this partner (channel account manager)")),
            ("view_all_partners", _("See every partner")),
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
