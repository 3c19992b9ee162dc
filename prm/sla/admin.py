from django.contrib import admin

from prm.admin import ReadOnlyModelAdmin
from prm.audit.admin import AuditTrailAdminMixin

from .models import BusinessCalendar, Deadline, Holiday


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "work_starts", "work_ends")
    inlines = [HolidayInline]


@admin.register(Deadline)
class DeadlineAdmin(AuditTrailAdminMixin, ReadOnlyModelAdmin):
    """Read-only and scoped to the staff user's partners: deadlines change only through prm.sla.services."""

    list_display = (
        "id",
        "kind",
        "state",
        "content_type",
        "object_id",
        "partner_id",
        "due_at",
        "next_fire_at",
        "reminders_sent",
        "attempts",
    )
    list_filter = ("state", "kind")
    list_select_related = ("content_type",)
    search_fields = ("kind",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")

    def get_queryset(self, request):
        return Deadline.objects.visible_to(request.user).select_related("content_type", "calendar")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]
