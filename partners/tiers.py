"""What tiers take: their requirements, measured through the metric registry (``prm.metrics``).

Each requirement is a threshold of a named metric over the trailing 12 months; a
partner meets it with a value at or above the threshold. Whatever the number of partners, tiers
and requirements, reading them costs one query for the requirements and one per metric. The one
write, ``tier_requirements_set``, is the service the admin saves requirements through.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from prm.audit.services import audit_record
from prm.errors import ServiceError
from prm.metrics import MONEY, Metric, Period, get_metric, is_metric, metric_values
from prm.tenancy import is_vendor_staff

from .models import Tier, TierRequirement
from .templatetags.partner_tiers import money

TIER_PERIOD_DAYS = 365


def tier_period(today=None) -> Period:
    """The period tiers measure: the last 12 months."""
    return Period.trailing(TIER_PERIOD_DAYS, today=today)


def meets(value, threshold) -> bool:
    """A value meets a threshold when it reaches it."""
    return value is not None and Decimal(value) >= Decimal(threshold)


def requirements_by_tier(tiers: Iterable[Tier]) -> dict[int, list[TierRequirement]]:
    """The requirements of each tier whose metric is registered, in the order they were written:
    one query."""
    ids = [tier.pk for tier in tiers]
    found: dict[int, list[TierRequirement]] = {pk: [] for pk in ids}
    for requirement in TierRequirement.objects.filter(tier_id__in=ids).order_by("pk"):
        if is_metric(requirement.metric):  # a metric whose app is gone is no requirement
            found[requirement.tier_id].append(requirement)
    return found


def requirement_values(
    requirements: Iterable[TierRequirement], partner_ids: Iterable[int], period: Period
) -> dict[str, dict]:
    """``{metric: {partner_id: value}}`` for the metrics of ``requirements``: one read per metric."""
    partner_ids = list(partner_ids)
    names = sorted({requirement.metric for requirement in requirements})
    return {name: metric_values(name, partner_ids, period) for name in names}


def _count(threshold: Decimal) -> int:
    return int(threshold)


def _words(text, params: dict) -> str:
    """A translated text with its values, as ``blocktranslate`` renders it: the text as written, the
    values escaped."""
    escaped = {key: value if isinstance(value, int) else conditional_escape(value) for key, value in params.items()}
    return mark_safe(text % escaped)  # noqa: S308


def requirement_text(metric: Metric, threshold: Decimal, currency: str) -> str:
    """The requirement in words, as the partner home writes it."""
    if metric.unit == MONEY:
        return _words(str(metric.requirement), {"amount": money(threshold, currency)})
    return _words(metric.requirement, {"counter": _count(threshold)})


def public_requirement_text(metric: Metric, threshold: Decimal, currency: str) -> str:
    """The requirement in words, as the public program page writes it."""
    if metric.unit == MONEY:
        return _words(str(metric.public_requirement), {"amount": floatformat(threshold, "0g"), "currency": currency})
    return _words(metric.public_requirement, {"counter": _count(threshold)})


@dataclass(frozen=True)
class RequirementProgress:
    metric: Metric
    threshold: Decimal
    text: str
    value: object  # the partner's figure; None when the portal does not measure the metric

    @property
    def met(self) -> bool:
        return meets(self.value, self.threshold)


def tier_progress(partner, *, currency: str, period: Period | None = None, known: dict | None = None) -> dict:
    """The partner's current tier, the next one and, for each requirement of the next, the partner's
    figure: a constant number of queries (tiers, requirements, one per metric). ``known`` gives
    ``{metric: {partner_id: value}}`` the caller already read for the same period: not read again."""
    current = partner.tier
    tiers = Tier.objects.filter(program_id=partner.program_id).order_by("rank")
    next_tier = tiers.filter(rank__gt=current.rank).first() if current else tiers.first()
    rows = []
    if next_tier is not None:
        requirements = requirements_by_tier([next_tier])[next_tier.pk]
        known = known or {}
        values = {
            **requirement_values(
                [r for r in requirements if r.metric not in known], [partner.pk], period or tier_period()
            ),
            **known,
        }
        for requirement in requirements:
            metric = get_metric(requirement.metric)
            rows.append(
                RequirementProgress(
                    metric=metric,
                    threshold=requirement.threshold,
                    text=requirement_text(metric, requirement.threshold, currency),
                    value=values[requirement.metric].get(partner.pk),
                )
            )
    return {"current": current, "next": next_tier, "requirements": rows}


def public_requirements(tiers: list[Tier], currency: str) -> dict[int, list[str]]:
    """``{tier_id: [requirement in words]}`` for the public program page, without the thresholds of
    zero (no requirement at all): one query."""
    return {
        tier_id: [
            public_requirement_text(get_metric(r.metric), r.threshold, currency) for r in requirements if r.threshold
        ]
        for tier_id, requirements in requirements_by_tier(tiers).items()
    }


# --- the write ------------------------------------------------------------------------------------


def _check_threshold(metric: str, threshold) -> Decimal:
    if not is_metric(metric):
        raise ServiceError(_("Unknown metric: %(name)s.") % {"name": metric}, field="metric")
    try:
        threshold = Decimal(threshold)
    except (ArithmeticError, TypeError, ValueError):
        raise ServiceError(_("Enter a number."), field="threshold") from None
    if not threshold.is_finite() or threshold < 0:
        raise ServiceError(
            _("Ensure this value is greater than or equal to %(limit_value)s.") % {"limit_value": 0}, field="threshold"
        )
    if get_metric(metric).unit != MONEY and threshold != threshold.to_integral_value():
        raise ServiceError(_("This metric counts: give a whole number."), field="threshold")
    return threshold


@transaction.atomic
def tier_requirements_set(*, actor, tier: Tier, thresholds: dict) -> list[TierRequirement]:
    """Sets what a tier takes: ``{metric: threshold}`` replaces its requirements (a metric left out
    is no longer required). Staff who may change tiers only; audited when anything changes."""
    if not (is_vendor_staff(actor) and actor.has_perm("partners.change_tier")):
        raise PermissionDenied(_("Only a channel manager can change what a tier takes."))
    wanted = {metric: _check_threshold(metric, threshold) for metric, threshold in thresholds.items()}
    tier = Tier.objects.select_for_update().get(pk=tier.pk)
    current = {requirement.metric: requirement for requirement in TierRequirement.objects.filter(tier=tier)}
    before = {metric: str(requirement.threshold) for metric, requirement in current.items()}
    TierRequirement.objects.filter(tier=tier).exclude(metric__in=list(wanted)).delete()
    for metric, threshold in wanted.items():
        requirement = current.get(metric)
        if requirement is None:
            TierRequirement.objects.create(tier=tier, metric=metric, threshold=threshold)
        elif requirement.threshold != threshold:
            requirement.threshold = threshold
            requirement.save(update_fields=["threshold"])
    after = {metric: str(threshold.quantize(Decimal("0.01"))) for metric, threshold in wanted.items()}
    if after != before:
        audit_record(actor=actor, action="tier.requirements_changed", obj=tier, data={"from": before, "to": after})
    return list(TierRequirement.objects.filter(tier=tier).order_by("pk"))
