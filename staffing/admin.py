from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import (
    Absence,
    Assignment,
    CaseConsultation,
    Closure,
    ConsultationAttendance,
    NotificationPreferences,
    OpeningHours,
    Qualification,
    ReleasedAssignment,
    ReminderRun,
    RosterPublication,
    Shift,
    ShiftOffer,
    Site,
    StaffMember,
    WeekTemplate,
    new_ical_token,
)
from .services.absences import absence_approve
from .services.assignments import assignment_create, assignment_delete, assignment_problems


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["code", "name"]


class QualificationInline(admin.TabularInline):
    model = Qualification
    extra = 0


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["__str__", "user", "site", "kind", "contract_hours", "channels", "active_to"]
    list_filter = ["site", "kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "site"]
    autocomplete_fields = ["user"]
    inlines = [QualificationInline]
    actions = ["renew_calendar_token"]

    @admin.action(description=_("Renew the calendar address (the old one stops working)"))
    def renew_calendar_token(self, request, queryset):
        for member in queryset:
            member.ical_token = new_ical_token()
            member.save(update_fields=["ical_token"])


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "kind", "valid_from", "valid_to"]
    list_filter = ["kind", "staff_member__site"]
    search_fields = ["staff_member__user__username", "staff_member__user__last_name"]
    list_select_related = ["staff_member__user"]
    autocomplete_fields = ["staff_member"]
    date_hierarchy = "valid_from"


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["staff_member", "kind", "starts_at", "ends_at", "approved_by", "approved_at"]
    list_filter = ["kind", ("approved_at", admin.EmptyFieldListFilter), "staff_member__site"]
    search_fields = ["staff_member__user__username", "staff_member__user__last_name", "note"]
    list_select_related = ["staff_member__user", "approved_by"]
    autocomplete_fields = ["staff_member"]
    readonly_fields = ["approved_by", "approved_at", "refused_by", "refused_at"]
    date_hierarchy = "starts_at"
    actions = ["approve"]

    @admin.action(description=_("Approve the selected absences"))
    def approve(self, request, queryset):
        # Through the service: approval releases the person's shifts in the period.
        for absence in queryset.pending():
            absence_approve(absence=absence, approved_by=request.user)


@admin.register(OpeningHours)
class OpeningHoursAdmin(admin.ModelAdmin):
    list_display = [
        "channel",
        "weekdays",
        "start_time",
        "end_time",
        "valid_from",
        "valid_to",
        "label",
        "is_trial",
    ]
    list_filter = ["channel", "is_trial"]
    search_fields = ["label"]


@admin.register(Closure)
class ClosureAdmin(admin.ModelAdmin):
    list_display = ["reason", "channel", "starts_at", "ends_at"]
    list_filter = ["channel"]
    search_fields = ["reason"]
    date_hierarchy = "starts_at"


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    fields = ["staff_member", "assigned_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "channel", "starts_at", "ends_at", "required_headcount"]
    list_filter = ["site", "channel"]
    search_fields = ["site__name", "note"]
    list_select_related = ["site"]
    date_hierarchy = "starts_at"
    inlines = [AssignmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Assignments carry a copy of the shift's times (for the exclusion constraint).
        if obj is not None and obj.assignments.exists():
            return ["site", "channel", "starts_at", "ends_at"]
        return []


class AssignmentAdminForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["shift", "staff_member"]

    def clean(self):
        data = super().clean()
        if data.get("shift") and data.get("staff_member"):
            problems = assignment_problems(data["shift"], data["staff_member"])
            if problems:
                raise ValidationError(problems)
        return data

    def _post_clean(self):
        # The copied times are set by the service; skip the model's own validation.
        pass


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    """Through the rostering rules: adding and deleting call the assignment services."""

    list_display = ["staff_member", "shift", "starts_at", "assigned_by", "created_at"]
    list_filter = ["shift__site", "shift__channel"]
    search_fields = ["staff_member__user__username", "staff_member__user__last_name"]
    list_select_related = ["staff_member__user", "shift__site", "assigned_by"]
    autocomplete_fields = ["staff_member"]
    raw_id_fields = ["shift"]
    form = AssignmentAdminForm
    date_hierarchy = "starts_at"

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Checked again under the row locks; a rare race surfaces as an error page-level.
        created = assignment_create(
            shift=form.cleaned_data["shift"],
            staff_member=form.cleaned_data["staff_member"],
            assigned_by=request.user,
        )
        obj.pk, obj.shift, obj.staff_member = created.pk, created.shift, created.staff_member

    def delete_model(self, request, obj):
        try:
            assignment_delete(assignment=obj)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class AttendanceInline(admin.TabularInline):
    model = ConsultationAttendance
    extra = 0
    autocomplete_fields = ["staff_member"]


@admin.register(CaseConsultation)
class CaseConsultationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "site", "starts_at", "ends_at", "chair", "series_id"]
    list_filter = ["site"]
    search_fields = ["minutes", "site__name"]
    list_select_related = ["site", "chair__user"]
    autocomplete_fields = ["chair"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline]


@admin.register(ConsultationAttendance)
class ConsultationAttendanceAdmin(admin.ModelAdmin):
    list_display = ["consultation", "staff_member", "attendance"]
    list_filter = ["attendance", "consultation__site"]
    search_fields = ["staff_member__user__username", "staff_member__user__last_name"]
    list_select_related = ["consultation__site", "staff_member__user"]
    autocomplete_fields = ["staff_member"]


# Day-to-day rostering (issue 9): history and settings, changed only through the services.
class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ReleasedAssignment)
class ReleasedAssignmentAdmin(_ReadOnlyAdmin):
    list_display = ["staff_member", "shift", "reason", "released_at", "released_by"]
    list_filter = ["reason", "shift__site"]
    list_select_related = ["staff_member__user", "shift__site", "released_by"]

    def has_add_permission(self, request):
        return False


@admin.register(RosterPublication)
class RosterPublicationAdmin(_ReadOnlyAdmin):
    list_display = ["site", "month", "published_at", "published_by"]
    list_filter = ["site"]

    def has_add_permission(self, request):
        return False


@admin.register(ShiftOffer)
class ShiftOfferAdmin(_ReadOnlyAdmin):
    list_display = ["shift", "offered_by", "offered_to", "taken_by", "status", "created_at"]
    list_filter = ["status", "shift__site"]
    list_select_related = ["shift__site", "offered_by__user", "offered_to__user", "taken_by__user"]

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(admin.ModelAdmin):
    list_display = ["user", "muted"]
    search_fields = ["user__username"]


@admin.register(WeekTemplate)
class WeekTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "created_by", "created_at"]
    list_filter = ["site"]
    readonly_fields = ["created_by", "created_at"]


@admin.register(ReminderRun)
class ReminderRunAdmin(_ReadOnlyAdmin):
    list_display = ["day", "sent_at", "recipients"]

    def has_add_permission(self, request):
        return False


from . import admin_planning  # noqa: E402,F401  (registers the planning models)
