from rest_framework import mixins, serializers

from prm.api import ScopedViewSet

from .selectors import partners_visible


class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    tier = serializers.CharField(source="tier.name", default=None, read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Partners the caller may see: their own, their assigned ones, or all for program staff."""

    serializer_class = PartnerSerializer
    selector = staticmethod(partners_visible)
