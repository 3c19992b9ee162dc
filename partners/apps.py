from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _role_label(params: dict) -> dict:
    from .models import PartnerRole

    role = params.get("role", "")
    return {**params, "role": str(PartnerRole(role).label) if role in PartnerRole.values else role}


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from prm.notifications.kinds import register_kind
        from prm.ui import register_tones

        from .selectors.team import MemberStatus

        # The badges of a member's status (prm.ui): the same code is also a partner's active/inactive.
        register_tones(
            **{
                MemberStatus.ACTIVE: "good",
                MemberStatus.INVITED: "progress",
                MemberStatus.EXPIRED: "neutral",
                MemberStatus.INACTIVE: "neutral",
            }
        )

        from .recruitment import register as register_recruitment

        register_recruitment()
        from .onboarding import register as register_onboarding

        register_onboarding()
        register_kind(
            "membership.role_changed",
            label=_("My role at my partner changes"),
            subject=_("Your role is now: {role}"),
            body=_("Your partner administrator changed your role in the partner portal to “{role}”."),
            prepare=_role_label,
        )
        from . import invitations, services

        invitations.register()
        services.register()
        from .metrics import register as register_metrics

        register_metrics()
        from prm.branding import register_brand_reader

        from .selectors.branding import program_brand

        register_brand_reader(program_brand)
        from prm.search import register_search

        from .selectors.search import search_partners

        register_search("partners", label=_("Partners"), icon="building", search=search_partners, order=30)
