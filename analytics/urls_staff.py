from django.urls import path

from . import portfolio_views, staff_views

urlpatterns = [
    path("", staff_views.program, name="staff_dashboard"),
    path("portfolio/", portfolio_views.portfolio, name="staff_portfolio"),
    path("partners/<int:pk>/", staff_views.partner, name="staff_partner_dashboard"),
    path("<str:table>.<str:fmt>", staff_views.program_export, name="staff_dashboard_export"),
]
