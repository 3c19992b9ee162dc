from django.urls import path

from . import views

urlpatterns = [
    path("", views.deal_list, name="deal_list"),
]
