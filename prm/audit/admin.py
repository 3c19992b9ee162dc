from django.contrib import admin

from prm.admin import ReadOnlyModelAdmin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyModelAdmin):
    list_display = ("at", "actor_label", "action", "object_repr", "from_state", "to_state", "ip")
    list_filter = ("action", "content_type")
    search_fields = ("actor_label", "object_repr", "reason", "action")
    date_hierarchy = "at"
    list_select_related = ("content_type",)

    def get_queryset(self, request):
        return AuditEvent.objects.visible_to(request.user).select_related("content_type")


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
