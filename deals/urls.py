from django.urls import path

from . import views

urlpatterns = [
    path("", views.deal_list_page, name="deal_list"),
    path("new/", views.deal_create, name="deal_create"),
    path("<int:pk>/", views.deal_detail, name="deal_detail"),
    path("<int:pk>/edit/", views.deal_edit, name="deal_edit"),
    path("<int:pk>/delete/", views.deal_delete, name="deal_delete"),
    path("<int:pk>/submit/", views.deal_submit, name="deal_submit"),
    path("<int:pk>/answer/", views.deal_answer, name="deal_answer"),
    path("<int:pk>/progress/", views.deal_progress, name="deal_progress"),
    path("<int:pk>/won/", views.deal_won, name="deal_won"),
    path("<int:pk>/lost/", views.deal_lost, name="deal_lost"),
    path("<int:pk>/extension/", views.deal_extension, name="deal_extension"),
]
