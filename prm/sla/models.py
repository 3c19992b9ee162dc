import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _


def default_working_days():
    return [0, 1, 2, 3, 4]  # Monday to Friday


class BusinessCalendar(models.Model):
    """Working days and hours of a program, in its own time zone, with holidays."""

    name = models.CharField(_("name"), max_length=100)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    working_days = models.JSONField(
        _("working days"), default=default_working_days, help_text=_("Weekday numbers, Monday is 0.")
    )
    work_starts = models.TimeField(_("work starts"), default=datetime.time(9, 0))
    work_ends = models.TimeField(_("work ends"), default=datetime.time(18, 0))

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self):
        return self.name


class Holiday(models.Model):
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="holiday_unique_date")]

    def __str__(self):
        return f"{self.date} {self.name}"
