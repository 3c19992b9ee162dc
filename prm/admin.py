from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from prm.countries import country_name


class _ValidSelectionMixin:
    """An autocomplete widget that shows back only the submitted values its field can hold: Django's
    looks every submitted value up, and a value that is not an id (``?user=abc``) is a 500 where the
    form's own error should answer."""

    def optgroups(self, name, value, attr=None):
        target = self.field.target_field

        def holdable(item):
            try:
                target.get_prep_value(target.to_python(item))
            except (TypeError, ValueError, ValidationError):
                return False
            return True

        return super().optgroups(name, [item for item in value if item in ("", None) or holdable(item)], attr)


class ValidAutocompleteSelect(_ValidSelectionMixin, AutocompleteSelect):
    pass


class ValidAutocompleteSelectMultiple(_ValidSelectionMixin, AutocompleteSelectMultiple):
    pass


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

    Autocomplete fields use widgets that show back only values their field can hold (a submitted
    ``user=abc`` is the form's error, not a 500), and an empty ``_to_field`` names the primary key.

    ``scope_every_admin`` puts it in front of every registered ModelAdmin, the portal's own and
    those of Django, allauth and any later app (ADR 0012).
    """

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = ValidAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        # An empty ``_to_field`` (``?_to_field=``) passes Django's to_field check and then names no field.
        obj = super().get_object(request, object_id, from_field or None)
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


@admin.display(description=_("country"), ordering="country")
def country_column(obj) -> str:
    """A country column of an admin list: the name in the reader's language, with the stored code."""
    return f"{country_name(obj.country)} ({obj.country})" if obj.country else ""
