from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from prm.admin import ReadOnlyModelAdmin

from .labels import action_labels
from .models import AuditEvent


class ActionFilter(admin.SimpleListFilter):
    """The actions by their labels (the code beside each), from the registry: no query."""

    title = _("action")
    parameter_name = "action__exact"  # as the field filter it replaces: kept links still work

    def lookups(self, request, model_admin):
        choices = [(code, f"{label} ({code})") for code, label in action_labels().items()]
        return sorted(choices, key=lambda choice: choice[1].casefold())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    # Fits a 1366 px laptop beside the sidebar and the filters: the object under the action, the
    # address under the actor.
    list_display = ("at", "event", "actor_column", "transition")
    list_filter = (ActionFilter, "content_type")
    search_fields = ("actor_label", "object_repr", "reason", "action")
    date_hierarchy = "at"
    list_select_related = ("content_type",)

    def get_queryset(self, request):
        return AuditEvent.objects.visible_to(request.user).select_related("content_type")

    @admin.display(description=_("action"), ordering="action")
    def event(self, obj):
        return format_html(
            '<span title="{}">{}</span><span class="cell-sub">{}</span>', obj.action, obj.action_label, obj.object_repr
        )

    @admin.display(description=_("actor"), ordering="actor_label")
    def actor_column(self, obj):
        return format_html('{}<span class="cell-sub">{}</span>', obj.actor_label or "—", obj.ip or "")

    @admin.display(description=_("change"))
    def transition(self, obj):
        if not obj.from_state and not obj.to_state:
            return "—"
        return f"{obj.from_state_label or '—'} → {obj.to_state_label or '—'}"


class AuditTrailAdminMixin:
    """Adds the object's audit trail to its admin change page."""

    change_form_template = "admin/audit_trail_change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        from .selectors import audit_events_for

        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["audit_events"] = list(audit_events_for(obj)[:100])
        return super().change_view(request, object_id, form_url, extra_context)
