from django.urls import path

from . import views

urlpatterns = [
    path("", views.lead_inbox, name="lead_inbox"),
    path("<int:pk>/", views.lead_detail, name="lead_detail"),
    path("<int:pk>/accept/", views.lead_accept, name="lead_accept"),
    path("<int:pk>/decline/", views.lead_decline, name="lead_decline"),
    path("<int:pk>/advance/", views.lead_advance, name="lead_advance"),
    path("<int:pk>/lost/", views.lead_lost, name="lead_lost"),
    path("<int:pk>/convert/", views.lead_convert, name="lead_convert"),
]
