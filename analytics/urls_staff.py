from django.urls import path

from . import portfolio_views, staff_views, views_history

urlpatterns = [
    path("", staff_views.program, name="staff_dashboard"),
    path("portfolio/", portfolio_views.portfolio, name="staff_portfolio"),
    path("partners/<int:pk>/", staff_views.partner, name="staff_partner_dashboard"),
    path("partners/<int:pk>/history/", views_history.staff_history, name="staff_partner_history"),
    path("views/", staff_views.saved_view_create, name="staff_saved_view_create"),
    path("views/<int:pk>/", staff_views.saved_view, name="staff_saved_view"),
    path("views/<int:pk>/delete/", staff_views.saved_view_delete, name="staff_saved_view_delete"),
    path("<str:table>.<str:fmt>", staff_views.program_export, name="staff_dashboard_export"),
]
