"""URLs of the lead import API (/api/v1/lead-imports/); the views are in ``leads.api.imports``."""

from django.urls import path

from ..api.imports import LeadImportDetailView, LeadImportErrorsView, LeadImportListView

urlpatterns: list = [
    path("", LeadImportListView.as_view(), name="api_lead_import_list"),
    path("<int:pk>/", LeadImportDetailView.as_view(), name="api_lead_import_detail"),
    path("<int:pk>/errors/", LeadImportErrorsView.as_view(), name="api_lead_import_errors"),
]
