from django.contrib import admin

from .models import BusinessCalendar, Holiday


class HolidayInline(admin.TabularInline):
    model = Holiday
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "time_zone", "work_starts", "work_ends")
    inlines = [HolidayInline]
