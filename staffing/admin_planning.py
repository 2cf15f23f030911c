"""Admin for availability, wishes, site shares and roster proposals (imported by admin.py)."""

from django.contrib import admin

from .models import (
    AvailabilityException,
    RosterProposal,
    ShiftLimit,
    SiteShare,
    WeeklyAvailability,
    Wish,
)


@admin.register(WeeklyAvailability)
class WeeklyAvailabilityAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "weekday", "start_time", "end_time"]
    list_filter = ["weekday", "staff_member__site"]
    list_select_related = ["staff_member__user"]
    autocomplete_fields = ["staff_member"]


@admin.register(AvailabilityException)
class AvailabilityExceptionAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "day", "available", "start_time", "end_time"]
    list_filter = ["available", "staff_member__site"]
    date_hierarchy = "day"
    list_select_related = ["staff_member__user"]
    autocomplete_fields = ["staff_member"]


@admin.register(Wish)
class WishAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "kind", "weekday", "start_time", "end_time"]
    list_filter = ["kind", "staff_member__site"]
    list_select_related = ["staff_member__user"]
    autocomplete_fields = ["staff_member"]


@admin.register(ShiftLimit)
class ShiftLimitAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "max_shifts_per_month"]
    list_select_related = ["staff_member__user"]
    autocomplete_fields = ["staff_member"]


@admin.register(SiteShare)
class SiteShareAdmin(admin.ModelAdmin):
    list_display = ["site", "channel", "share"]
    list_filter = ["channel"]
    list_editable = ["share"]


@admin.register(RosterProposal)
class RosterProposalAdmin(admin.ModelAdmin):
    list_display = ["site", "first_day", "last_day", "mode", "status", "progress", "created_at"]
    list_filter = ["status", "mode", "site"]
    readonly_fields = ["instance", "result", "progress", "status", "message", "created_by"]
