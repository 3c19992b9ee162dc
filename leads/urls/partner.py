from django.urls import path

from ..views import partner

urlpatterns = [
    path("", partner.lead_inbox, name="lead_inbox"),
    path("<int:pk>/", partner.lead_detail, name="lead_detail"),
    path("<int:pk>/accept/", partner.lead_accept, name="lead_accept"),
    path("<int:pk>/decline/", partner.lead_decline, name="lead_decline"),
    path("<int:pk>/advance/", partner.lead_advance, name="lead_advance"),
    path("<int:pk>/lost/", partner.lead_lost, name="lead_lost"),
    path("<int:pk>/convert/", partner.lead_convert, name="lead_convert"),
]
