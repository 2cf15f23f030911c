"""Read-only admin views on the aggregates and their runs: rows are rebuilt, never edited."""

from django.contrib import admin

from .models import (
    AggregateLock,
    AggregateRun,
    DailyAttemptCount,
    DailyCount,
    DirtyDay,
    MonthlyCount,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AggregateRun)
class AggregateRunAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "kind",
        "status",
        "days_rebuilt",
        "first_day",
        "last_day",
        "complete_through",
        "finished_at",
    ]
    list_filter = ["status", "kind"]


@admin.register(DailyCount)
class DailyCountAdmin(ReadOnlyAdmin):
    list_display = ["day", "site", "channel", "dimension", "value", "contacts", "victims"]
    list_filter = ["dimension", "channel", "site"]
    date_hierarchy = "day"
    list_select_related = ["site"]


@admin.register(MonthlyCount)
class MonthlyCountAdmin(ReadOnlyAdmin):
    list_display = ["month", "site", "channel", "dimension", "value", "contacts", "victims"]
    list_filter = ["dimension", "channel", "site"]
    list_select_related = ["site"]


@admin.register(DailyAttemptCount)
class DailyAttemptCountAdmin(ReadOnlyAdmin):
    list_display = [
        "day",
        "channel",
        "hour",
        "answered",
        "outside_hours",
        "likely_misdial",
        "attempts",
    ]
    list_filter = ["channel", "outside_hours", "likely_misdial"]
    date_hierarchy = "day"


@admin.register(DirtyDay)
class DirtyDayAdmin(ReadOnlyAdmin):
    list_display = ["day", "reason", "recorded_at"]


@admin.register(AggregateLock)
class AggregateLockAdmin(admin.ModelAdmin):
    """A stuck claim can be cleared here (it also expires by itself)."""

    list_display = ["name", "holder", "claimed_at", "expires_at"]

    def has_add_permission(self, request):
        return False
