from django.urls import path

from . import views_staff

urlpatterns: list = [
    path("import/", views_staff.lead_import, name="staff_lead_import"),
    path("import/<int:pk>/", views_staff.lead_import_detail, name="staff_lead_import_detail"),
    path("import/<int:pk>/progress/", views_staff.lead_import_progress, name="staff_lead_import_progress"),
    path("import/<int:pk>/errors.csv", views_staff.lead_import_errors, name="staff_lead_import_errors"),
]
