from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Admin for records nobody edits by hand: trails, timers, outbox rows."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
