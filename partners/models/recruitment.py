"""Recruitment: applications to the program, their review and minimum criteria."""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.i18n import TranslatedMixin

from .core import CompanySize, Industry, Program, Region, Specialty, choice_array


class IcpQuestion(TranslatedMixin, models.Model):
    """An ideal-customer-profile question asked on the application form."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="icp_questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_pt_br = models.CharField(_("question (Portuguese)"), max_length=300, blank=True)
    text_fr = models.CharField(_("question (French)"), max_length=300, blank=True)
    required = models.BooleanField(_("required"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ideal-customer-profile question")
        verbose_name_plural = _("ideal-customer-profile questions")
        ordering = ["program", "order", "id"]

    def __str__(self):
        return self.tr("text")


class CriteriaItem(TranslatedMixin, models.Model):
    """One item of the program's minimum-criteria checklist, ticked by the reviewer."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text_en = models.CharField(_("criterion (English)"), max_length=300)
    text_pt_br = models.CharField(_("criterion (Portuguese)"), max_length=300, blank=True)
    text_fr = models.CharField(_("criterion (French)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("minimum criterion")
        verbose_name_plural = _("minimum criteria")
        ordering = ["program", "order", "id"]

    def __str__(self):
        return self.tr("text")


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


# The one table of allowed transitions; services consult it.
APPLICATION_TRANSITIONS = {
    ApplicationStatus.SUBMITTED: {ApplicationStatus.APPROVED, ApplicationStatus.REJECTED},
    ApplicationStatus.APPROVED: set(),
    ApplicationStatus.REJECTED: set(),
}


class Application(models.Model):
    """A company's application to join the partner program."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED
    )
    company_name = models.CharField(_("company name"), max_length=200)
    name_normalized = models.CharField(max_length=200, editable=False, db_index=True)
    website = models.URLField(_("website"), blank=True)
    email_domain = models.CharField(_("company email domain"), max_length=253)
    country = models.CharField(_("country"), max_length=2)
    regions = choice_array(Region.choices, _("regions served"))
    industries = choice_array(Industry.choices, _("industries"))
    specialties = models.ManyToManyField(Specialty, verbose_name=_("specialties"), blank=True)
    company_size = models.CharField(_("company size"), max_length=10, choices=CompanySize.choices)
    tax_id = models.CharField(_("tax ID"), max_length=40, blank=True)
    tax_id_normalized = models.CharField(max_length=40, blank=True, editable=False, db_index=True)
    contact_name = models.CharField(_("contact name"), max_length=200)
    contact_email = models.EmailField(_("contact email"))
    contact_phone = models.CharField(_("contact phone"), max_length=40)
    icp_answers = models.JSONField(_("ideal-customer-profile answers"), default=dict, blank=True)
    terms_version = models.ForeignKey(
        "partners.AgreementVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    ip = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True)
    partner = models.OneToOneField(
        "partners.Partner", null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at"]
        permissions = [("review_application", _("Approve or reject applications"))]
        indexes = [GinIndex(name="application_name_trgm", fields=["name_normalized"], opclasses=["gin_trgm_ops"])]

    def __str__(self):
        return self.company_name


class ApplicationCheck(models.Model):
    """A ticked minimum criterion: who ticked it and when."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="checks")
    item = models.ForeignKey(CriteriaItem, on_delete=models.PROTECT, related_name="+")
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("criterion check")
        verbose_name_plural = _("criterion checks")
        constraints = [models.UniqueConstraint(fields=["application", "item"], name="application_check_unique")]

    def __str__(self):
        return f"{self.item} ✓"
