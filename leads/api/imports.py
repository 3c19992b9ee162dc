"""The lead import API (/api/v1/lead-imports/): start an import (multipart upload), read its progress
and its error report. Staff who import leads (``leads.add_lead``); everybody else is refused (403)."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from prm.api import StrictBooleanField, StrictSerializer
from prm.api_input import Pagination, SafeFormParser, SafeMultiPartParser
from prm.idempotency.api import idempotent

from .. import imports
from ..models import LeadImport, LeadImportError


class CanImportLeads(permissions.BasePermission):
    def has_permission(self, request, view):
        return imports.may_import(request.user)


class LeadImportSerializer(serializers.ModelSerializer):
    created_by = serializers.EmailField(source="created_by.email", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    status_url = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()

    class Meta:
        model = LeadImport
        fields = (
            "id",
            "state",
            "original_name",
            "assign",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
            "total_rows",
            "processed",
            "imported",
            "duplicates",
            "failed",
            "assigned",
            "percent",
            "error",
            "status_url",
            "errors_url",
        )
        read_only_fields = fields

    def _url(self, name, obj) -> str:
        url = reverse(name, kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url

    def get_status_url(self, obj) -> str:
        return self._url("api_lead_import_detail", obj)

    def get_errors_url(self, obj) -> str:
        return self._url("api_lead_import_errors", obj)


class LeadImportUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="A CSV file, UTF-8; the columns are those of the staff import page.")
    assign = StrictBooleanField(
        required=False, default=False, help_text="Offer the imported leads to partners by the rules."
    )


class LeadImportErrorSerializer(serializers.ModelSerializer):
    error = serializers.CharField(source="message", read_only=True)

    class Meta:
        model = LeadImportError
        fields = ("row", "column", "value", "error", "is_duplicate")
        read_only_fields = fields


def _job(request, pk) -> LeadImport:
    job = imports.lead_imports_visible_to(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


class LeadImportListView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanImportLeads]
    parser_classes = [SafeMultiPartParser, SafeFormParser]
    pagination_class = Pagination  # the list's pages, as the schema documents them

    @extend_schema(responses=LeadImportSerializer(many=True), operation_id="lead_imports_list")
    def get(self, request):
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(imports.lead_imports_visible_to(request.user), request, view=self)
        return paginator.get_paginated_response(
            LeadImportSerializer(page, many=True, context={"request": request}).data
        )

    @idempotent
    @extend_schema(
        request={"multipart/form-data": LeadImportUploadSerializer},
        responses={201: LeadImportSerializer},
        operation_id="lead_imports_create",
    )
    def post(self, request):
        upload = LeadImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        job = imports.lead_import_start(
            actor=request.user, upload=upload.validated_data["file"], assign=upload.validated_data["assign"]
        )
        data = LeadImportSerializer(job, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["status_url"]})


class LeadImportDetailView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanImportLeads]

    @extend_schema(responses=LeadImportSerializer, operation_id="lead_imports_retrieve")
    def get(self, request, pk):
        return Response(LeadImportSerializer(_job(request, pk), context={"request": request}).data)


class LeadImportErrorsView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanImportLeads]
    pagination_class = Pagination

    @extend_schema(responses=LeadImportErrorSerializer(many=True), operation_id="lead_imports_errors")
    def get(self, request, pk):
        job = _job(request, pk)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(job.errors.order_by("row", "pk"), request, view=self)
        return paginator.get_paginated_response(LeadImportErrorSerializer(page, many=True).data)
