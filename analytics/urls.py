from django.urls import path

from . import views, views_mine

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mine/", views_mine.mine, name="dashboard_mine"),
    path("mine/figures.csv", views_mine.mine_export, name="dashboard_mine_export"),
    path("<str:table>.csv", views.dashboard_export, name="dashboard_export"),
]
