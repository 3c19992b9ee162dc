from django.urls import path

from .views import branding, onboarding, pages, public, team

urlpatterns = [
    path("", pages.home, name="home"),
    path("brand.css", branding.brand_css, name="brand_css"),
    path("brand/logo/", branding.brand_logo, name="brand_logo"),
    path("brand/favicon/", branding.brand_favicon, name="brand_favicon"),
    path("apply/", public.apply, name="apply"),
    path("apply/thanks/", public.apply_thanks, name="apply_thanks"),
    path("staff/partners/", pages.staff_partners, name="staff_partner_list"),
    path("staff/partners/<int:pk>/", pages.staff_partner_detail, name="staff_partner_detail"),
    path("team/", team.team, name="team"),
    path("team/invite/", team.team_invite, name="team_invite"),
    path("team/dashboard-sharing/", team.team_dashboard_sharing, name="team_dashboard_sharing"),
    path("team/members/<int:pk>/role/", team.team_member_role, name="team_member_role"),
    path("team/members/<int:pk>/deactivate/", team.team_member_deactivate, name="team_member_deactivate"),
    path("team/invitations/<int:pk>/resend/", team.team_invitation_resend, name="team_invitation_resend"),
    path("team/invitations/<int:pk>/revoke/", team.team_invitation_revoke, name="team_invitation_revoke"),
    path("invitations/<str:token>/", team.invitation_accept_page, name="invitation_accept"),
    path("company/", team.company_profile, name="company_profile"),
    path("partners/<int:pk>/logo/", team.partner_logo, name="partner_logo"),
    path("agreement/", onboarding.agreement, name="agreement"),
    path("onboarding/<int:step_id>/", onboarding.onboarding_content, name="onboarding_content"),
    path(
        "staff/partners/<int:pk>/onboarding/<int:step_id>/tick/",
        onboarding.staff_onboarding_tick,
        name="staff_onboarding_tick",
    ),
]
