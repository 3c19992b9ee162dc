"""POST /api/v1/applications/: apply to the partner program (public, limited per client IP)."""

from django.http import Http404
from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from prm.api import StrictSerializer
from prm.audit.services import client_ip
from prm.idempotency.api import idempotent

from ..models import CompanySize, Industry, Region
from ..recruitment import ApplicationRateThrottle, application_submit
from ..views.public import HONEYPOT_FIELD, SUBMISSION_REFUSED, ApplicationForm, public_program_page


class ApplicationInputSerializer(StrictSerializer):
    """The fields of the /apply/ form, validated by the same form; any other field is refused."""

    company_name = serializers.CharField(max_length=200)
    website = serializers.URLField(required=False, allow_blank=True)
    email_domain = serializers.CharField(max_length=253, help_text="The company's email domain, e.g. example.com.")
    country = serializers.CharField(max_length=2, help_text="ISO 3166-1 alpha-2 code, e.g. BR.")
    regions = serializers.ListField(child=serializers.ChoiceField(choices=Region.choices))
    industries = serializers.ListField(child=serializers.ChoiceField(choices=Industry.choices), required=False)
    specialties = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Specialty ids.")
    company_size = serializers.ChoiceField(choices=CompanySize.choices)
    tax_id = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=200)
    contact_email = serializers.EmailField()
    contact_phone = serializers.CharField(max_length=40)
    icp_answers = serializers.DictField(
        child=serializers.CharField(), required=False, help_text="Answers keyed by question id."
    )
    accept_terms = serializers.BooleanField(help_text="Acceptance of the published program terms.")
    homepage = serializers.CharField(required=False, allow_blank=True, help_text="Leave empty.")


class ApplicationCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


def _form_data(data) -> dict:
    """Request data as the form's fields: the answers object becomes icp_<id> fields."""
    if hasattr(data, "lists"):
        flat = {key: values if len(values) > 1 else values[0] for key, values in data.lists()}
    else:
        flat = dict(data)
    answers = flat.pop("icp_answers", None)
    if isinstance(answers, dict):
        for key, value in answers.items():
            flat.setdefault(f"icp_{key}", value)
    for key in ("regions", "industries", "specialties"):
        if key in flat and not isinstance(flat[key], list):
            flat[key] = [flat[key]]
    return flat


class ApplicationViewSet(viewsets.ViewSet):
    """Apply to the partner program. Nobody signs in; the number of submissions per IP is limited."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ApplicationRateThrottle]

    def get_throttles(self):
        return super().get_throttles() if self.request.method == "POST" else []

    @idempotent
    @extend_schema(
        request=ApplicationInputSerializer,
        responses={201: ApplicationCreatedSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def create(self, request):
        page = public_program_page()
        if page is None:
            raise Http404
        if not isinstance(request.data, dict):
            return Response({"detail": str(SUBMISSION_REFUSED)}, status=status.HTTP_400_BAD_REQUEST)
        data = _form_data(request.data)
        form = ApplicationForm(data, program=page.program)
        if str(data.get(HONEYPOT_FIELD) or "").strip():
            return Response({"detail": str(SUBMISSION_REFUSED)}, status=status.HTTP_400_BAD_REQUEST)
        unknown = ApplicationInputSerializer().unknown_fields(request.data)
        if not form.is_valid() or unknown:
            errors = {
                ("non_field_errors" if field == "__all__" else field): [str(message) for message in messages]
                for field, messages in form.errors.items()
            }
            return Response({**unknown, **errors}, status=status.HTTP_400_BAD_REQUEST)
        application = application_submit(**form.submission(), language=get_language(), ip=client_ip(request))
        return Response({"id": application.pk, "status": application.status}, status=status.HTTP_201_CREATED)
