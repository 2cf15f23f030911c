from django.contrib import admin

from .models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is append-only, whoever looks at it (meldpunt/models.py)."""

    list_display = ("at", "username", "action", "object_type", "object_ref", "site_code", "ip")
    list_filter = ("action", "object_type")
    date_hierarchy = "at"
    search_fields = ("=username", "=object_ref")
    show_full_result_count = False  # the log grows by every page view

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
