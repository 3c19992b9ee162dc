from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("views/<int:pk>/", views.saved_view, name="saved_view"),
    path("<str:table>.csv", views.dashboard_export, name="dashboard_export"),
]
