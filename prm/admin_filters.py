"""Admin list filters that every partner-owned changelist shares.

- ``PartnerInScopeFilter``: rows of one partner, chosen among the partners in the user's scope (the
  choices are read from the partners, not from the rows).
- ``CamFilter``: rows by the channel account manager of their partner (the guardian grant of
  ``prm.tenancy.cam_grants``), or "none assigned".

``partner_path`` names the field of the listed model that holds the partner's id (``"pk"`` for the
partners themselves). The partners model is looked up in the app registry when a filter runs.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from prm.tenancy import cam_grants


def _partners_visible_to(user):
    return apps.get_model("partners", "Partner").objects.visible_to(user)


class PartnerInScopeFilter(admin.SimpleListFilter):
    """Rows of one partner, chosen among the partners in the user's scope (not read from the rows)."""

    title = _("partner")
    parameter_name = "partner"
    partner_path = "partner_id"

    def lookups(self, request, model_admin):
        return [(str(pk), name) for pk, name in _partners_visible_to(request.user).values_list("pk", "name")]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        return queryset.filter(**{self.partner_path: int(value)}) if value.isdigit() else queryset.none()


class CamFilter(admin.SimpleListFilter):
    """Rows by the channel account manager of their partner (the guardian grant), or partners with none."""

    title = _("channel account manager")
    parameter_name = "cam"
    partner_path = "partner_id"

    def lookups(self, request, model_admin):
        visible = _partners_visible_to(request.user).values("pk")
        grants = cam_grants().filter(content_object_id__in=visible).values("user_id")
        users = get_user_model().objects.filter(pk__in=grants).order_by("email")
        return [("none", _("None assigned")), *((str(user.pk), user.get_full_name() or user.email) for user in users)]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "none":
            return queryset.exclude(**{f"{self.partner_path}__in": cam_grants().values("content_object_id")})
        if value and value.isdigit():
            granted = cam_grants().filter(user_id=int(value)).values("content_object_id")
            return queryset.filter(**{f"{self.partner_path}__in": granted})
        return queryset
