"""The partner home's "what it takes to reach the next tier" and money in the user's locale."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def money(amount, currency):
    """An amount with its currency code, grouped and rounded as the active language writes numbers."""
    if amount is None:
        return ""
    amount = Decimal(amount)
    decimals = 0 if amount == amount.to_integral_value() else 2
    value = number_format(amount, decimal_pos=decimals, force_grouping=True)
    return _("%(currency)s %(amount)s") % {"currency": currency, "amount": value}


@register.inclusion_tag("partners/team/_tier_progress.html")
def tier_progress(partner, deal_summary=None):
    """The current tier's benefits and what the next one takes, with where the partner stands on each
    requirement (``partners.tiers``) and how many of them are met. ``deal_summary`` (``deals.selectors.partner_deal_summary``)
    names the won deals left out of the revenue for want of an exchange rate."""
    from partners.tiers import tier_period
    from partners.tiers import tier_progress as progress

    currency = partner.program.currency or ""  # the program comes with the request's membership (no query)
    known = {}
    if deal_summary and deal_summary.get("won_revenue_period") == tier_period():
        known["deals.won_revenue"] = {partner.pk: deal_summary["won_revenue_12m"]}  # read once a page
    state = progress(partner, currency=currency, known=known)
    met = sum(1 for requirement in state["requirements"] if requirement.met)
    total = len(state["requirements"])
    return {
        **state,
        "currency": currency,
        "missing_rates": (deal_summary or {}).get("won_revenue_missing"),
        "met": met,  # requirements of the next tier already met, for the progress bar
        "met_percent": 100 * met // total if total else 0,
    }
