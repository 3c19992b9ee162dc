"""The partner agreement and the onboarding checklist."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.i18n import TranslatedMixin
from prm.tenancy import ScopedQuerySet

from .core import Partner, Program


class AgreementVersion(TranslatedMixin, models.Model):
    """A version of the partner agreement. Publishing one requires every partner to accept it."""

    program = models.ForeignKey(Program, on_delete=models.PROTECT, related_name="agreement_versions")
    version = models.PositiveIntegerField(_("version"))
    text_en = models.TextField(_("text (English)"))
    text_pt_br = models.TextField(_("text (Portuguese)"), blank=True)
    text_fr = models.TextField(_("text (French)"), blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["program", "-version"]
        constraints = [models.UniqueConstraint(fields=["program", "version"], name="agreement_version_unique")]

    def __str__(self):
        return _("Agreement v%(version)s") % {"version": self.version}


class AgreementAcceptance(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="agreement_acceptances")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    accepted_at = models.DateTimeField(auto_now_add=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement acceptance")
        verbose_name_plural = _("agreement acceptances")
        constraints = [models.UniqueConstraint(fields=["partner", "version"], name="agreement_acceptance_unique")]

    def __str__(self):
        return f"{self.partner} · {self.version}"


class StepKind(models.TextChoices):
    PROFILE = "profile", _("Complete the company profile")
    AGREEMENT = "agreement", _("Accept the partner agreement")
    INVITE = "invite", _("Invite colleagues")
    CONTENT = "content", _("Read onboarding content")
    MANUAL = "manual", _("Step confirmed by your channel account manager")


class OnboardingStep(TranslatedMixin, models.Model):
    """One step of the program's onboarding checklist, in order."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="onboarding_steps")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_pt_br = models.CharField(_("title (Portuguese)"), max_length=200, blank=True)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    body_en = models.TextField(_("content (English)"), blank=True, help_text=_("For content steps: what to read."))
    body_pt_br = models.TextField(_("content (Portuguese)"), blank=True)
    body_fr = models.TextField(_("content (French)"), blank=True)
    colleagues_required = models.PositiveSmallIntegerField(
        _("colleagues to invite"), default=1, help_text=_("For invite steps.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("onboarding step")
        verbose_name_plural = _("onboarding steps")
        ordering = ["program", "order", "id"]

    def __str__(self):
        return self.tr("title")


class OnboardingProgress(models.Model):
    """A completed onboarding step of a partner."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="onboarding_progress")
    step = models.ForeignKey(OnboardingStep, on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(auto_now_add=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("onboarding progress")
        verbose_name_plural = _("onboarding progress")
        constraints = [models.UniqueConstraint(fields=["partner", "step"], name="onboarding_progress_unique")]

    def __str__(self):
        return f"{self.partner} · {self.step}"
