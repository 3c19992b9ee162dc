from django.urls import path

from . import views, views_onboarding, views_public, views_team

urlpatterns = [
    path("", views.home, name="home"),
    path("apply/", views_public.apply, name="apply"),
    path("apply/thanks/", views_public.apply_thanks, name="apply_thanks"),
    path("staff/partners/<int:pk>/", views.staff_partner_detail, name="staff_partner_detail"),
    path("team/", views_team.team, name="team"),
    path("team/invite/", views_team.team_invite, name="team_invite"),
    path("team/members/<int:pk>/role/", views_team.team_member_role, name="team_member_role"),
    path("team/members/<int:pk>/deactivate/", views_team.team_member_deactivate, name="team_member_deactivate"),
    path("team/invitations/<int:pk>/resend/", views_team.team_invitation_resend, name="team_invitation_resend"),
    path("team/invitations/<int:pk>/revoke/", views_team.team_invitation_revoke, name="team_invitation_revoke"),
    path("invitations/<str:token>/", views_team.invitation_accept_page, name="invitation_accept"),
    path("company/", views_team.company_profile, name="company_profile"),
    path("partners/<int:pk>/logo/", views_team.partner_logo, name="partner_logo"),
    path("agreement/", views_onboarding.agreement, name="agreement"),
    path("onboarding/<int:step_id>/", views_onboarding.onboarding_content, name="onboarding_content"),
    path(
        "staff/partners/<int:pk>/onboarding/<int:step_id>/tick/",
        views_onboarding.staff_onboarding_tick,
        name="staff_onboarding_tick",
    ),
]
