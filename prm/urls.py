from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import SimpleRouter

from analytics.api import PartnerDashboardView, ProgramDashboardView, RankingView
from deals.api import DealViewSet
from leads.api import LeadViewSet
from partners.api import ApplicationViewSet, MyPartnerView, MyTeamViewSet, PartnerViewSet
from prm import styleguide, views
from prm.api import MeView
from prm.api.not_found import page_not_found
from prm.notifications import preview as email_preview

# The admin login goes through allauth: same rate limits, same MFA step.
admin.site.login = secure_admin_login(admin.site.login)

# A path under /api/ that matches no URL answers JSON, as every API answer does.
handler404 = page_not_found

# No root view and no format suffixes (/deals.json): the API speaks JSON, and a suffix route is one
# more address to guard.
router = SimpleRouter()
router.register("partners", PartnerViewSet, basename="partner")
router.register("applications", ApplicationViewSet, basename="application")
router.register("deals", DealViewSet, basename="deal")
router.register("leads", LeadViewSet, basename="lead")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("language/", views.language_set, name="language_set"),
    path("profile/", views.profile, name="profile"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search/", views.search, name="search"),
    path("styleguide/", styleguide.styleguide, name="styleguide"),
    path("staff/emails/", email_preview.email_preview_list, name="email_preview_list"),
    path("staff/emails/<str:kind>/<str:language>/", email_preview.email_preview, name="email_preview"),
    path("notifications/", include("prm.notifications.urls")),
    path("deals/", include("deals.urls")),
    path("dashboard/", include("analytics.urls")),
    path("staff/dashboard/", include("analytics.urls_staff")),
    path("leads/", include("leads.urls.partner")),
    path("staff/leads/", include("leads.urls.staff")),
    path("api/v1/me/", MeView.as_view(), name="api_me"),
    # Before the router: "me" is not a partner id.
    path("api/v1/partners/me/", MyPartnerView.as_view(), name="api_partner_me"),
    path(
        "api/v1/partners/me/users/",
        MyTeamViewSet.as_view({"get": "list", "post": "create"}),
        name="api_partner_me_users",
    ),
    path("api/v1/lead-imports/", include("leads.urls.api_imports")),
    path("api/v1/dashboards/partner/", PartnerDashboardView.as_view(), name="api_dashboard_partner"),
    path("api/v1/dashboards/program/", ProgramDashboardView.as_view(), name="api_dashboard_program"),
    path("api/v1/analytics/ranking/", RankingView.as_view(), name="api_ranking"),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Swagger UI's start-up script from this URL (?script), not inline: Content-Security-Policy (ADR 0012).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="prm/api_docs.html"),
        name="api_docs",
    ),
    path("", include("partners.urls")),
]
