"""/api/v1/me/: the caller, their partner and role; PATCH changes their language (a partial update:
without ``language`` nothing changes)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from prm.accounts.services import user_set_language
from prm.tenancy import membership_of

from .serializers import NamedChoiceField, StrictSerializer


class PartnerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    tier = serializers.CharField(allow_null=True)


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()
    language = serializers.CharField()
    is_staff = serializers.BooleanField()
    role = serializers.CharField(allow_null=True)
    staff_roles = serializers.ListField(child=serializers.CharField())
    partner = PartnerBriefSerializer(allow_null=True)


class MeUpdateSerializer(StrictSerializer):
    language = NamedChoiceField(
        enum_name="LanguageEnum",
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose one of the offered languages.")},
    )


class MeView(APIView):
    """The caller: who they are, their partner and role. PATCH changes their language."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        user = request.user
        membership = membership_of(user)
        partner = membership.partner if membership else None
        data = {
            "id": user.pk,
            "email": user.email,
            "name": user.get_full_name(),
            "language": user.language or request.LANGUAGE_CODE,
            "is_staff": user.is_staff,
            "role": membership.role if membership else None,
            "staff_roles": sorted(user.groups.values_list("name", flat=True)) if user.is_staff else [],
            "partner": {
                "id": partner.pk,
                "name": partner.name,
                "country": partner.country,
                "tier": partner.tier.name if partner.tier else None,
            }
            if partner
            else None,
        }
        return Response(MeSerializer(data).data)

    @extend_schema(request=MeUpdateSerializer, responses=MeSerializer)
    def patch(self, request):
        serializer = MeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "language" in serializer.validated_data:
            user_set_language(actor=request.user, language=serializer.validated_data["language"])
        return self.get(request)
