from django.urls import path

from ..views import staff

urlpatterns: list = [
    path("import/", staff.lead_import, name="staff_lead_import"),
    path("import/<int:pk>/", staff.lead_import_detail, name="staff_lead_import_detail"),
    path("import/<int:pk>/progress/", staff.lead_import_progress, name="staff_lead_import_progress"),
    path("import/<int:pk>/errors.csv", staff.lead_import_errors, name="staff_lead_import_errors"),
]
