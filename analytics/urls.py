from django.urls import path

from . import views, views_history, views_mine

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("mine/", views_mine.mine, name="dashboard_mine"),
    path("mine/figures.csv", views_mine.mine_export, name="dashboard_mine_export"),
    path("history/", views_history.history, name="dashboard_history"),
    path("history/months.csv", views_history.history_export, name="dashboard_history_export"),
    path("views/<int:pk>/", views.saved_view, name="saved_view"),
    path("<str:table>.csv", views.dashboard_export, name="dashboard_export"),
]
