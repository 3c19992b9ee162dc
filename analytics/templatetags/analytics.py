"""The dashboard's figures as the reader's language writes them."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from partners.templatetags.partner_tiers import money

from ..kpis import COUNT, DAYS, HOURS, MONEY, PERCENT

register = template.Library()


def _number(value, places: int) -> str:
    return number_format(Decimal(value), decimal_pos=places, force_grouping=True)


@register.simple_tag
def kpi_value(value, unit, currency=""):
    """{% kpi_value row.value row.unit currency %}: a dash for a figure without a value."""
    if value is None:
        return "—"
    if unit == MONEY:
        return money(value, currency)
    if unit == PERCENT:
        return _("%(value)s %%") % {"value": _number(value, 1)}
    if unit == DAYS:
        return _("%(value)s days") % {"value": _number(value, 1)}
    if unit == HOURS:
        return _("%(value)s h") % {"value": _number(value, 1)}
    if unit == COUNT:
        return _number(value, 0)
    return str(value)


@register.simple_tag
def kpi_change(change, unit):
    """{% kpi_change row.change row.unit %}: the change against the previous period, signed: percentage
    points for a rate, a relative change otherwise."""
    if change is None:
        return ""
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    number = sign + _number(abs(change), 1)
    if unit == PERCENT:
        return _("%(value)s pts") % {"value": number}
    return _("%(value)s %%") % {"value": number}


@register.filter
def change_tone(row):
    """``good``, ``bad`` or ``neutral``: whether the change is for the better."""
    change = row["change"] if isinstance(row, dict) else row.change
    better = row["higher_is_better"] if isinstance(row, dict) else row.higher_is_better
    if change is None or change == 0:
        return "neutral"
    return "good" if (change > 0) == better else "bad"
