from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# The European Central Bank publishes every rate as units of a currency per 1 euro; the portal stores
# them the same way (ADR 0010). The euro itself has no row: its rate is 1 by definition.
BASE_CURRENCY = "EUR"
CURRENCY_CODE_REGEX = r"^[A-Z]{3}$"


class ExchangeRate(models.Model):
    """One reference rate: how many units of ``currency`` one euro buys on ``date``."""

    date = models.DateField(_("date"))
    currency = models.CharField(_("currency"), max_length=3, help_text=_("ISO 4217 code, such as BRL or USD."))
    rate = models.DecimalField(
        _("rate per euro"),
        max_digits=20,
        decimal_places=8,
        help_text=_("Units of this currency for 1 EUR, as the European Central Bank publishes it."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        ordering = ["-date", "currency"]
        constraints = [
            # Currency first: conversions read the latest rate of a currency on or before a date.
            models.UniqueConstraint(fields=["currency", "date"], name="money_rate_one_per_currency_and_day"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="money_rate_positive"),
            models.CheckConstraint(condition=Q(currency__regex=CURRENCY_CODE_REGEX), name="money_rate_currency_code"),
            models.CheckConstraint(condition=~Q(currency=BASE_CURRENCY), name="money_rate_not_the_base_currency"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} 1 {BASE_CURRENCY} = {self.rate.normalize():f} {self.currency}"
