from django.contrib import admin

from .models import Site, StaffMember


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["code", "name"]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "site"]
    list_filter = ["site"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "site"]
    autocomplete_fields = ["user"]
