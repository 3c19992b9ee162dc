from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from prm.api import ScopedViewSet, StrictBooleanField, StrictSerializer
from prm.api_input import SafeFormParser, SafeJSONParser, SafeMultiPartParser
from prm.idempotency.api import idempotent

from ..invitations import invitation_create
from ..models import (
    AddressKind,
    CompanySize,
    Industry,
    Membership,
    Partner,
    PartnerRole,
    Region,
    SpokenLanguage,
)
from ..selectors import (
    member_status,
    my_partner_or_404,
    partner_of,
    partners_visible,
    require_partner_admin,
    team_members,
)
from ..services import ADDRESS_FIELDS, partner_profile_update


class PartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True)
    tier = serializers.CharField(source="tier.name", default=None, read_only=True, allow_null=True)
    is_active = serializers.BooleanField(read_only=True)


class PartnerViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Partners the caller may see: their own, their assigned ones, or all for program staff."""

    serializer_class = PartnerSerializer
    selector = staticmethod(partners_visible)


# --- the caller's partner: /api/v1/partners/me/ and /api/v1/partners/me/users/ -----------------


@extend_schema_field({"type": "string", "pattern": "^[A-Za-z]{2}$"})
class CountryCodeField(serializers.CharField):
    """Two letters, an ISO 3166 alpha-2 code: the service checks and upper-cases them."""


class AddressSerializer(StrictSerializer):
    id = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=AddressKind.choices, default=AddressKind.HEAD_OFFICE)
    line1 = serializers.CharField(max_length=200)
    line2 = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    city = serializers.CharField(max_length=100)
    state = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    country = CountryCodeField(max_length=2, help_text=_("ISO 3166 alpha-2 code, e.g. BR"))


class MyPartnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField()
    tier = serializers.CharField(allow_null=True)
    website = serializers.CharField()
    email_domain = serializers.CharField()
    tax_id = serializers.CharField()
    description = serializers.CharField()
    company_size = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    industries = serializers.ListField(child=serializers.CharField())
    languages = serializers.ListField(child=serializers.CharField())
    specialties = serializers.ListField(child=serializers.IntegerField())
    publish_in_locator = serializers.BooleanField()
    logo_url = serializers.CharField(allow_null=True)
    addresses = AddressSerializer(many=True)


class MyPartnerUpdateSerializer(StrictSerializer):
    """Every field is optional: only those sent change. ``addresses``, when sent, is the full list."""

    name = serializers.CharField(max_length=200, required=False)
    website = serializers.URLField(max_length=200, required=False, allow_blank=True)
    email_domain = serializers.CharField(max_length=253, required=False, allow_blank=True)
    tax_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    company_size = serializers.ChoiceField(choices=CompanySize.choices, required=False, allow_blank=True)
    regions = serializers.ListField(child=serializers.ChoiceField(choices=Region.choices), required=False)
    industries = serializers.ListField(child=serializers.ChoiceField(choices=Industry.choices), required=False)
    languages = serializers.ListField(child=serializers.ChoiceField(choices=SpokenLanguage.choices), required=False)
    specialties = serializers.ListField(child=serializers.IntegerField(), required=False)
    publish_in_locator = StrictBooleanField(required=False)
    addresses = AddressSerializer(many=True, required=False)
    logo = serializers.FileField(required=False, help_text=_("PNG, JPEG or WebP (multipart upload)"))


class MyPartnerJSONUpdateSerializer(MyPartnerUpdateSerializer):
    """The change sent as JSON: every field but the logo, which is a multipart upload."""

    logo = None


class MyPartnerFormUpdateSerializer(MyPartnerUpdateSerializer):
    """The same change sent as multipart, for a logo: addresses, a list of objects, are sent in a
    JSON body; a form value ``addresses`` is refused."""

    addresses = None


def _my_partner_data(partner) -> dict:
    partner = Partner.objects.select_related("tier").prefetch_related("specialties", "addresses").get(pk=partner.pk)
    return {
        "id": partner.pk,
        "name": partner.name,
        "country": partner.country,
        "tier": partner.tier.name if partner.tier else None,
        "website": partner.website,
        "email_domain": partner.email_domain,
        "tax_id": partner.tax_id,
        "description": partner.description,
        "company_size": partner.company_size,
        "regions": partner.regions,
        "industries": partner.industries,
        "languages": partner.languages,
        "specialties": sorted(specialty.pk for specialty in partner.specialties.all()),
        "publish_in_locator": partner.publish_in_locator,
        "logo_url": reverse("partner_logo", args=[partner.pk]) if partner.logo else None,
        "addresses": [
            {"id": address.pk, **{field: getattr(address, field) for field in ADDRESS_FIELDS}}
            for address in partner.addresses.all()
        ],
    }


class MyPartnerView(APIView):
    """The caller's company profile. PATCH (partner admins) changes the fields sent."""

    parser_classes = [SafeJSONParser, SafeMultiPartParser, SafeFormParser]

    @extend_schema(responses=MyPartnerSerializer)
    def get(self, request):
        partner, _membership = my_partner_or_404(request.user)
        return Response(MyPartnerSerializer(_my_partner_data(partner)).data)

    @extend_schema(
        request={
            "application/json": MyPartnerJSONUpdateSerializer,
            "multipart/form-data": MyPartnerFormUpdateSerializer,
        },
        responses=MyPartnerSerializer,
    )
    def patch(self, request):
        partner, membership = my_partner_or_404(request.user)
        require_partner_admin(request, membership)
        serializer = MyPartnerUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        addresses = data.pop("addresses", None)
        logo = data.pop("logo", None)
        partner_profile_update(actor=request.user, partner=partner, data=data, addresses=addresses, logo=logo)
        return Response(MyPartnerSerializer(_my_partner_data(partner)).data)


class TeamMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    user_id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    name = serializers.CharField(source="user.get_full_name")
    role = serializers.CharField()
    status = serializers.SerializerMethodField()
    last_login = serializers.DateTimeField(source="user.last_login", allow_null=True)
    joined_at = serializers.DateTimeField(source="created_at")

    def get_status(self, membership) -> str:
        return member_status(membership)


class InvitationRequestSerializer(StrictSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=PartnerRole.choices)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(source="user.email")
    role = serializers.CharField()
    expires_at = serializers.DateTimeField()


def my_team(user):
    """Members of the user's own partner (none for anyone without one)."""
    partner = partner_of(user)
    if partner is None:
        return Membership.objects.none()
    return team_members(user, partner)


class MyTeamViewSet(mixins.ListModelMixin, ScopedViewSet):
    """The caller's team. POST invites a colleague (partner admins)."""

    serializer_class = TeamMemberSerializer
    selector = staticmethod(my_team)

    def list(self, request, *args, **kwargs):
        my_partner_or_404(request.user)
        return super().list(request, *args, **kwargs)

    @idempotent
    @extend_schema(request=InvitationRequestSerializer, responses={201: InvitationSerializer})
    def create(self, request, *args, **kwargs):
        partner, membership = my_partner_or_404(request.user)
        require_partner_admin(request, membership)
        serializer = InvitationRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = invitation_create(actor=request.user, partner=partner, **serializer.validated_data)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)
