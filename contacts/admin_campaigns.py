"""Admin for campaigns: coordinators record them here; the comparison is a report page."""

from django.contrib import admin

from .models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "start_date", "end_date", "target_age_group", "channels"]
    list_filter = ["target_age_group"]
    search_fields = ["name", "description"]
    date_hierarchy = "start_date"
    ordering = ["-start_date", "name", "id"]
