"""The partner dashboard through the API: the same figures as the page, for the caller's partner."""

from django.http import Http404
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


class KpiSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.CharField()
    value = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True)
    previous = serializers.DecimalField(max_digits=24, decimal_places=2, allow_null=True)
    change = serializers.DecimalField(max_digits=24, decimal_places=1, allow_null=True)
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


class PartnerDashboardSerializer(serializers.Serializer):
    period = serializers.CharField()
    since = serializers.DateField()
    until = serializers.DateField()
    previous_since = serializers.DateField()
    previous_until = serializers.DateField()
    currency = serializers.CharField()
    peer_group = serializers.CharField(help_text="tier or country; peers are never named")
    peer_group_size = serializers.IntegerField(allow_null=True, help_text="null when under 5 partners")
    kpis = KpiSerializer(many=True)
    won_revenue_by_month = MonthSerializer(many=True)
    pipeline = StageSerializer(many=True)
    lead_funnel = FunnelSerializer(many=True)


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
        params = request.query_params
        try:
            period = periods.dashboard_period(
                params.get("period", ""), params.get("since", ""), params.get("until", "")
            )
        except ServiceError as error:
            raise ValidationError({error.field or "period": [error.message]}) from None
        data = partner_dashboard(partner, period)
        shown = data["peers_shown"]
        body = {
            "period": period.key,
            "since": period.since,
            "until": period.until,
            "previous_since": period.previous_since,
            "previous_until": period.previous_until,
            "currency": data["currency"],
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
