from django.contrib import admin

from .models import CallAttempt


@admin.register(CallAttempt)
class CallAttemptAdmin(admin.ModelAdmin):
    """Read-only: the log is what the switch and the chat platform saw, changed only by
    re-importing (`manage.py import_attempts`)."""

    list_display = ("started_at", "channel", "answered", "wait_seconds", "talk_seconds")
    list_filter = ("channel", "answered")
    date_hierarchy = "started_at"
    search_fields = ("=external_id",)
    show_full_result_count = False  # the log runs to millions of rows

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
