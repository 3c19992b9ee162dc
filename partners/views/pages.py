"""The home page (a partner's, the staff's, or the public landing page) and the staff page of a partner."""

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from prm.notifications.selectors import notifications_for
from prm.partner_pages import home_context
from prm.tenancy import get_visible_or_404, is_vendor_staff

from ..models import Partner
from ..onboarding import onboarding_state
from ..selectors import (
    MemberStatus,
    member_status,
    partner_cams,
    partner_of,
    partner_trail,
    partners_with_counts,
    team_invitations,
    team_members,
)
from .base import staff_required
from .public import landing


def home(request):
    """The signed-in user's home; anonymous visitors get the program's public page."""
    user = request.user
    if not user.is_authenticated:
        return landing(request)
    partner = partner_of(user)
    if partner is not None:
        return render(
            request,
            "partners/partner_home.html",
            {
                "partner": partner,
                "membership": user._prm_membership,
                "cams": list(partner_cams(partner)),
                "notifications": list(notifications_for(user)[:5]),
                "onboarding": onboarding_state(partner),
                **home_context(partner),  # deal_summary (deals)
            },
        )
    if is_vendor_staff(user):
        page = Paginator(partners_with_counts(user), 50).get_page(request.GET.get("page"))
        return render(request, "partners/staff_home.html", {"page": page, "partners": page.object_list})
    return render(request, "partners/no_partner.html", status=403)


@staff_required
def staff_partner_detail(request, pk):
    partner = get_visible_or_404(Partner.objects.select_related("tier", "program"), request.user, pk=pk)
    now = timezone.now()
    members = []
    for member in team_members(request.user, partner):
        member.status = member_status(member, now)
        if member.status in (MemberStatus.ACTIVE, MemberStatus.INACTIVE):  # joined; the invited are apart
            member.status_label = MemberStatus.LABELS[member.status]
            members.append(member)
    invited = list(team_invitations(request.user, partner))
    for invitation in invited:
        invitation.is_expired = invitation.expires_at <= now
    return render(
        request,
        "partners/staff_partner_detail.html",
        {
            "partner": partner,
            "members": members,
            "invited": invited,
            "cams": list(partner_cams(partner)),
            "audit_events": list(partner_trail(request.user, partner)[:50]),
            "onboarding": onboarding_state(partner, viewer=request.user),
        },
    )
