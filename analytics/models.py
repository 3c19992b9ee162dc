"""Daily figures of each partner, rolled up from the metrics the apps register (``prm.metrics``).

The dashboards read these rows for the days before today and the metrics themselves, live, for
today (``analytics.figures``). A row holds one metric of one partner on one day (a metric family is
the metrics of one app: ``deals.*``, ``leads.*``); days and metrics without a value have no row.
``analytics.rollup`` writes them, nothing else.
"""

from decimal import Decimal

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
