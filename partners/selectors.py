from django.contrib.auth import get_user_model
from django.db.models import Count

from prm.tenancy import membership_of

from .models import Partner, PartnerUserObjectPermission
from .onboarding import with_onboarding_counts


def partners_visible(user):
    return Partner.objects.visible_to(user).select_related("tier", "program").order_by("name")


def partners_with_counts(user):
    """Partners with their number of users and their onboarding progress (done / total steps)."""
    return with_onboarding_counts(partners_visible(user).annotate(member_count=Count("memberships")))


def partner_of(user):
    """The partner of a partner user (None for staff and for users of an inactive partner)."""
    membership = membership_of(user)
    if membership is None or not membership.partner.is_active:
        return None
    return membership.partner


def partner_cams(partner):
    """The channel account managers assigned to a partner."""
    user_ids = PartnerUserObjectPermission.objects.filter(
        content_object=partner, permission__codename="manage_partner"
    ).values("user_id")
    return get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("email")
