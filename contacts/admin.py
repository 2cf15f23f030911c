"""The Django admin of the register: taxonomy upkeep for administrators, and a last-resort
view on contacts and cases. Contacts and cases are created by the intake (their references
come from a locked counter), so the admin does not add them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    AwarenessSource,
    CallerAgeGroup,
    CallerProfile,
    CallerProfileFlag,
    CallerRole,
    Case,
    ConsultationItem,
    Contact,
    ContactFlag,
    ContactType,
    FollowUp,
    Gender,
    ReferenceCounter,
    Referral,
    Region,
    Theme,
    Victim,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
)


class TaxonomyTermAdmin(admin.ModelAdmin):
    """Codes are stable and never reused: a term is deactivated, never deleted or recoded."""

    list_display = ["code", "label", "label_en", "sort_order", "is_active"]
    list_editable = ["sort_order", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "label", "label_en"]
    ordering = ["sort_order", "code"]

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "code"] if obj is not None else readonly

    def has_delete_permission(self, request, obj=None):
        return False


for term_model in (
    AwarenessSource,
    CallerRole,
    Gender,
    Referral,
    Region,
    Theme,
    VictimAgeGroup,
    VictimRelation,
    ViolenceContext,
    ViolenceForm,
):
    admin.site.register(term_model, TaxonomyTermAdmin)


@admin.register(CallerAgeGroup)
class CallerAgeGroupAdmin(TaxonomyTermAdmin):
    list_display = [*TaxonomyTermAdmin.list_display, "is_minor"]


@admin.register(ContactType)
class ContactTypeAdmin(TaxonomyTermAdmin):
    list_display = [*TaxonomyTermAdmin.list_display, "is_counselling"]
    list_filter = ["is_active", "is_counselling"]


class VictimInline(admin.TabularInline):
    model = Victim
    extra = 0


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["reference", "started_at", "channel", "contact_type", "site", "theme", "case"]
    list_filter = ["channel", "contact_type", "site", "theme", "follow_up_needed"]
    list_select_related = ["site", "theme", "case", "contact_type"]
    date_hierarchy = "started_at"
    search_fields = ["reference", "external_id"]
    autocomplete_fields = ["case", "registered_by"]
    readonly_fields = ["reference", "external_id", "created_at", "updated_at", "caller_profile"]
    # Notes are for the contact's site team only, also in the admin.
    exclude = ["notes"]
    inlines = [VictimInline]
    empty_value_display = _("not recorded")
    ordering = ["-started_at", "-id"]

    def has_add_permission(self, request):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ["reference", "site", "opened_at", "closed_at", "close_reason"]
    list_filter = ["site", "close_reason"]
    list_select_related = ["site"]
    search_fields = ["reference"]
    autocomplete_fields = ["opened_by"]
    readonly_fields = ["reference", "opened_at"]
    # The summary is for the case's site team only, like a contact's notes.
    exclude = ["summary"]

    def has_add_permission(self, request):
        return False


@admin.register(ConsultationItem)
class ConsultationItemAdmin(admin.ModelAdmin):
    list_display = ["case", "consultation", "added_by", "created_at"]
    list_filter = ["consultation__site"]
    list_select_related = ["case", "consultation", "added_by"]
    search_fields = ["case__reference"]
    raw_id_fields = ["case", "consultation"]
    # Decisions are case content for the site's team only, like a contact's notes.
    exclude = ["decision"]
    readonly_fields = ["added_by", "created_at", "updated_at"]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["description", "contact", "due_date", "assignee", "done_at"]
    list_filter = [("done_at", admin.EmptyFieldListFilter), "due_date"]
    list_select_related = ["contact", "assignee"]
    search_fields = ["contact__reference", "description"]
    autocomplete_fields = ["contact", "assignee", "created_by", "done_by"]
    readonly_fields = ["created_at"]


@admin.register(ContactFlag)
class ContactFlagAdmin(admin.ModelAdmin):
    """Checked on the data-quality page; here for inspection."""

    list_display = ["contact", "reason", "created_at", "checked_at", "checked_by"]
    list_filter = ["reason", ("checked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["contact", "checked_by"]
    search_fields = ["contact__reference"]
    readonly_fields = ["contact", "reason", "created_at", "checked_at", "checked_by"]

    def has_add_permission(self, request):
        return False


class CallerProfileFlagInline(admin.TabularInline):
    model = CallerProfileFlag
    extra = 0
    readonly_fields = ["created_at", "created_by"]


@admin.register(CallerProfile)
class CallerProfileAdmin(admin.ModelAdmin):
    """Profiles are created at intake from a keyed hash; the note is the site team's only."""

    list_display = ["__str__", "site", "created_at"]
    list_filter = ["site"]
    list_select_related = ["site"]
    readonly_fields = ["identifier_hash", "created_at", "note_updated_at"]
    exclude = ["note"]
    inlines = [CallerProfileFlagInline]

    def has_add_permission(self, request):
        return False


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    """Shown for inspection only: changing a counter by hand could hand out a reference twice."""

    list_display = ["kind", "year", "last_value"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Register the attempt log and campaign admins.
from . import admin_attempts, admin_campaigns  # noqa: E402, F401
