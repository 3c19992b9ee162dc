"""Daily figures of each partner, rolled up from the metrics the apps register (``prm.metrics``).

The dashboards read these rows for the days before today and the metrics themselves, live, for
today (``analytics.figures``). A row holds one metric of one partner on one day (a metric family is
the metrics of one app: ``deals.*``, ``leads.*``); days and metrics without a value have no row.
``analytics.rollup`` writes them, nothing else.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DailyValue(models.Model):
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+", db_index=False)
    day = models.DateField()
    metric = models.CharField(max_length=60)
    value = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("daily figure")
        verbose_name_plural = _("daily figures")
        constraints = [models.UniqueConstraint(fields=["partner", "metric", "day"], name="analytics_daily_key")]
        # A program's sums over a period (the executives' figures, the peers of a partner).
        indexes = [models.Index(fields=["metric", "day"], name="analytics_daily_metric_day")]

    def __str__(self):
        return f"{self.partner_id} {self.metric} {self.day}: {self.value}"


class RollupRun(models.Model):
    """One run of the rollup: the days and metrics it rebuilt, what it wrote, how long it took."""

    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))
    since = models.DateField(_("from"))
    until = models.DateField(_("to"))
    metrics = models.JSONField(_("metrics"), default=list)
    rows = models.IntegerField(_("rows written"), default=0)
    trigger = models.CharField(_("started by"), max_length=20)

    class Meta:
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        ordering = ["-started_at", "-pk"]

    def __str__(self):
        return f"{self.since} – {self.until} ({self.trigger})"


class ProgramAnalyticsSettings(models.Model):
    """What a program decides about its dashboards: when a partner counts as inactive."""

    program = models.OneToOneField("partners.Program", on_delete=models.CASCADE, related_name="analytics_settings")
    inactivity_days = models.PositiveSmallIntegerField(
        _("days without activity before a partner is inactive"),
        default=30,
        help_text=_(
            "No login, deal, lead action or training for this many days raises an alert to the account manager."
        ),
    )

    class Meta:
        verbose_name = _("dashboard settings")
        verbose_name_plural = _("dashboard settings")

    def __str__(self):
        return str(self.program)


class PartnerActivity(models.Model):
    """A partner's latest activity as the daily check last found it, and its current inactivity
    episode: ``inactive_since`` is set when the partner crosses its program's threshold and cleared by
    its next activity; ``alerted_at`` says the episode's one alert was raised."""

    partner = models.OneToOneField(
        "partners.Partner", on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("partner")
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    last_activity_kind = models.CharField(_("kind of the last activity"), max_length=40, blank=True)
    inactive_since = models.DateTimeField(_("inactive since"), null=True, blank=True)
    alerted_at = models.DateTimeField(_("alert raised"), null=True, blank=True)
    checked_at = models.DateTimeField(_("checked"))

    class Meta:
        verbose_name = _("partner activity")
        verbose_name_plural = _("partner activity")
        indexes = [
            models.Index(
                fields=["inactive_since"], condition=models.Q(inactive_since__isnull=False), name="analytics_inactive"
            )
        ]

    def __str__(self):
        return f"{self.partner_id}: {self.last_activity_at}"


class SavedView(models.Model):
    """A dashboard view a staff user saved: the period, the filters and the panels, shared with
    roles (staff roles, or partner roles of every partner) or with chosen partners. A partner who
    opens a shared view sees its own figures only, whatever the filters say."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("owner")
    )
    name = models.CharField(_("name"), max_length=100)
    period = models.CharField(_("period"), max_length=20)
    since = models.DateField(_("from"), null=True, blank=True)
    until = models.DateField(_("to"), null=True, blank=True)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    panels = models.JSONField(_("panels"), default=list, blank=True)
    # "staff:<role>" or "partner:<role>"
    shared_roles = models.JSONField(_("shared with roles"), default=list, blank=True)
    shared_partners = models.ManyToManyField(
        "partners.Partner", blank=True, related_name="+", verbose_name=_("shared with partners")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "pk"]
        constraints = [models.UniqueConstraint(fields=["owner", "name"], name="analytics_saved_view_name")]

    def __str__(self):
        return self.name
