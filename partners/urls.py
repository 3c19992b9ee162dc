from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("staff/partners/<int:pk>/", views.staff_partner_detail, name="staff_partner_detail"),
]
