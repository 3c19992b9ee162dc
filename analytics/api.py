"""The dashboards through the API: the same figures as the pages, scoped as they are."""

import datetime

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from prm.errors import ServiceError

from . import periods
from .access import dashboard_partner
from .selectors import partner_dashboard


class ProgramKpiSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True)
    previous = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True)
    change = serializers.DecimalField(max_digits=24, decimal_places=1, allow_null=True)


class KpiSerializer(ProgramKpiSerializer):
    percentile = serializers.IntegerField(allow_null=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField()
    value = serializers.DecimalField(max_digits=24, decimal_places=2)


class StageSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=24, decimal_places=2)


class FunnelSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()


class DashboardPeriodSerializer(serializers.Serializer):
    period = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()
    previous_since = serializers.DateField()
    previous_until = serializers.DateField()
    currency = serializers.CharField()


class PartnerDashboardSerializer(DashboardPeriodSerializer):
    peer_group = serializers.CharField(help_text="tier or country; peers are never named")
    peer_group_size = serializers.IntegerField(allow_null=True, help_text="null when under 5 partners")
    kpis = KpiSerializer(many=True)
    won_revenue_by_month = MonthSerializer(many=True)
    pipeline = StageSerializer(many=True)
    lead_funnel = FunnelSerializer(many=True)


def _period_fields(period, currency) -> dict:
    return {
        "period": period.key,
        "since": period.since,
        "until": period.until,
        "previous_since": period.previous_since,
        "previous_until": period.previous_until,
        "currency": currency,
    }


def api_period(params) -> periods.DashboardPeriod:
    """The period of an API call: a client's unknown period or a date that is not one is refused
    (400), where the page falls back to the default."""
    errors = {}
    key = params.get("period", periods.DEFAULT)
    if key not in dict(periods.CHOICES):
        errors["period"] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(dict(periods.CHOICES))}]
    for name in ("since", "until"):
        if name in params:
            try:
                datetime.date.fromisoformat(params[name])
            except ValueError:
                errors[name] = [_("Enter a valid date.")]
    if errors:
        raise ValidationError(errors)
    try:
        return periods.dashboard_period(key, params.get("since", ""), params.get("until", ""))
    except ServiceError as error:
        raise ValidationError({error.field or "period": [error.message]}) from None


class PartnerDashboardView(APIView):
    """The caller's partner dashboard over a period (``period``: qtd, last_quarter, 12m, or custom with
    ``since`` and ``until``)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, enum=[key for key, _label in periods.CHOICES]),
            OpenApiParameter("since", OpenApiTypes.DATE),
            OpenApiParameter("until", OpenApiTypes.DATE),
        ],
        responses=PartnerDashboardSerializer,
    )
    def get(self, request):
        partner, _membership = dashboard_partner(request)
        if partner is None:  # staff read partners elsewhere
            raise Http404
        period = api_period(request.query_params)
        data = partner_dashboard(partner, period)
        shown = data["peers_shown"]
        body = {
            **_period_fields(period, data["currency"]),
            "peer_group": data["peers"].kind,
            "peer_group_size": len(data["peers"].members) if shown else None,
            "kpis": [
                {
                    "key": row.key,
                    "label": str(row.label),
                    "unit": row.unit,
                    "value": row.value,
                    "previous": row.previous,
                    "change": row.change,
                    "percentile": row.percentile,
                }
                for row in data["kpis"]
            ],
            "won_revenue_by_month": [{"month": month, "value": value} for month, value in data["revenue"]],
            "pipeline": [
                {"key": row["key"], "label": str(row["label"]), "count": row["count"], "amount": row["amount"]}
                for row in data["pipeline"]
            ],
            "lead_funnel": [{"key": key, "label": str(label), "count": count} for key, label, count in data["funnel"]],
        }
        return Response(PartnerDashboardSerializer(body).data)


class RevenueShareSerializer(serializers.Serializer):
    name = serializers.CharField()
    won_revenue = serializers.DecimalField(max_digits=24, decimal_places=2)


class ProgramDashboardSerializer(DashboardPeriodSerializer):
    partners = serializers.IntegerField()
    active_partners = serializers.IntegerField()
    kpis = ProgramKpiSerializer(many=True)
    by_country = RevenueShareSerializer(many=True)
    by_tier = RevenueShareSerializer(many=True)


class ReasonSerializer(serializers.Serializer):
    component = serializers.CharField()
    percentile = serializers.IntegerField()


class RankedSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    partner_id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    tier = serializers.CharField()
    score = serializers.IntegerField()
    reasons = ReasonSerializer(many=True)


class RankingSerializer(serializers.Serializer):
    period = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()
    weights = serializers.DictField(child=serializers.IntegerField())
    partners = RankedSerializer(many=True)


_PERIOD_PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=[key for key, _label in periods.CHOICES]),
    OpenApiParameter("since", OpenApiTypes.DATE),
    OpenApiParameter("until", OpenApiTypes.DATE),
]


def _staff_period(request):
    from prm.tenancy import is_vendor_staff

    if not is_vendor_staff(request.user):
        raise Http404
    return api_period(request.query_params)


class ProgramDashboardView(APIView):
    """Vendor staff: the figures of the partners in their scope over a period, against the previous one."""

    @extend_schema(parameters=_PERIOD_PARAMETERS, responses=ProgramDashboardSerializer)
    def get(self, request):
        from .program import program_dashboard

        period = _staff_period(request)
        data = program_dashboard(request.user, period, ranked=0)
        body = {
            **_period_fields(period, data["currency"]),
            "partners": data["partners"],
            "active_partners": data["active"],
            "kpis": [{**row, "label": str(row["label"])} for row in data["kpis"]],
            "by_country": [{"name": name, "won_revenue": value} for _code, name, value in data["countries"]],
            "by_tier": [{"name": name, "won_revenue": value} for name, value in data["tiers"]],
        }
        return Response(ProgramDashboardSerializer(body).data)


class RankingView(APIView):
    """Vendor staff: the partners in their scope ranked by the documented composite score, with the
    percentile of each component (the reasons of the rank)."""

    @extend_schema(parameters=_PERIOD_PARAMETERS, responses=RankingSerializer)
    def get(self, request):
        from .program import program_dashboard, weights

        period = _staff_period(request)
        data = program_dashboard(request.user, period, ranked=0)
        names = list(weights())
        body = {
            "period": period.key,
            "since": period.since,
            "until": period.until,
            "weights": weights(),
            "partners": [
                {
                    "rank": r.rank,
                    "partner_id": r.partner_id,
                    "name": r.name,
                    "country": r.country,
                    "tier": r.tier,
                    "score": r.score,
                    "reasons": [
                        {"component": name, "percentile": percentile}
                        for name, (_label, percentile) in zip(names, r.reasons, strict=True)
                    ],
                }
                for r in data["ranking"]
            ],
        }
        return Response(RankingSerializer(body).data)
