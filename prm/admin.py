from django.contrib import admin
from django.core.exceptions import PermissionDenied


class ScopedObjectsAdminMixin:
    """An object its user may not view is, on every admin URL, the same as an id that does not exist.

    Without it the admin is an oracle of which ids exist: the history of a user outside a CAM's
    scope answered 403 and a missing id the "does not exist" redirect. Here ``get_object`` (which
    the change, history and delete views, the bare /<id>/ redirect's target and the custom object
    actions all go through) returns None for an object outside ``get_queryset`` or one that
    ``has_view_or_change_permission(request, obj)`` refuses, and the history view checks the
    model-level permission first, as the change and delete views already do (with obj None they
    ask the model-level permission). Both kinds of id then answer alike: 403 without the model's
    permission, the "does not exist" redirect with it.

    ``scope_every_admin`` puts it in front of every registered ModelAdmin, the portal's own and
    those of Django, allauth and any later app (ADR 0012).
    """

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and not self.has_view_or_change_permission(request, obj):
            return None
        return obj

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


def scope_every_admin(site=admin.site) -> None:
    """Re-register every ModelAdmin of ``site`` that lacks ScopedObjectsAdminMixin with a subclass
    that has it in front (called once all admin modules are loaded, in PrmConfig.ready)."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, ScopedObjectsAdminMixin):
            continue
        base = type(model_admin)
        scoped = type(base.__name__, (ScopedObjectsAdminMixin, base), {"__module__": base.__module__})
        site.unregister(model)
        site.register(model, scoped)


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Admin for records nobody edits by hand: trails, timers, outbox rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
