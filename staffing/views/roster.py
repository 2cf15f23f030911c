"""The week roster of a site, with assigning and unassigning in place (htmx).

Past days are read-only: changing them is an explicit "correct the past" action (the form
says so with `correct_past`), written to the audit trail.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meldpunt.audit import Action as AuditAction
from meldpunt.audit import audit_record
from meldpunt.permissions import Action, permission_required
from staffing.models import Assignment, Shift, Site, StaffMember
from staffing.selectors import RosterWeek
from staffing.services.assignments import assignment_create, assignment_delete
from staffing.services.consultations import consultation_shortfalls
from staffing.services.time import local_date

from .access import chosen_day, chosen_site, may_plan, posted_id


def _week_url(name, site, day) -> str:
    return f"{reverse(name)}?site={site.pk}&week={day:%Y-%m-%d}"


@require_GET
@permission_required(Action.ROSTER_VIEW)
def roster(request):
    sites = Site.objects.viewable_by(request.user)
    site = chosen_site(request, sites)
    week = RosterWeek(site, chosen_day(request))
    # The month the week mostly lies in (its Thursday, as ISO weeks do).
    thursday = week.monday + timedelta(days=3)
    can_plan = may_plan(request.user, site)
    if not can_plan:
        week.hide_drafts()
    return render(
        request,
        "staffing/roster.html",
        {
            "site": site,
            "sites": sites,
            "week": week,
            "rows": week.rows(),
            "day_shifts": [(day, week.shifts_on(day)) for day in week.days],
            "can_plan": can_plan,
            "correcting": can_plan and request.GET.get("correct") == "1",
            "has_past": week.days[0] < week.today,
            "month_published": week.month in week.published_months,
            "week_url": _week_url("staffing:roster", site, week.monday),
            "previous_monday": week.monday - timedelta(days=7),
            "templates": list(site.week_templates.all()) if can_plan else [],
            # The day view opens on today when it lies in this week, else on its Monday.
            "day_view": week.today if week.days[0] <= week.today <= week.days[-1] else week.monday,
            "shortfalls": consultation_shortfalls(site, thursday.year, thursday.month),
            "shortfall_month": thursday,
            "min_consultations": settings.MIN_CONSULTATIONS_PER_MONTH,
            "previous_url": _week_url("staffing:roster", site, week.monday - timedelta(days=7)),
            "next_url": _week_url("staffing:roster", site, week.monday + timedelta(days=7)),
            "coverage_url": _week_url("staffing:coverage", site, week.monday),
        },
    )


def _cell_response(request, site, member, day, errors=()):
    week = RosterWeek(site, day)
    cell = week.cell(member, day)
    cell.errors = list(errors)
    if request.htmx:
        # The cell, and out of band the day's shift headcounts above it.
        return render(
            request,
            "staffing/_roster_cell_response.html",
            {
                "cell": cell,
                "can_plan": True,
                "correcting": request.POST.get("correct_past") == "1",
                "day": day,
                "summaries": week.shifts_on(day),
            },
        )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(request, _("Saved."))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(next_url)
    return redirect(_week_url("staffing:roster", site, day))


def _past_refused(request, shift) -> list[str]:
    """Past days are read-only unless the planner chose to correct the past."""
    if local_date(shift.starts_at) >= timezone.localdate():
        return []
    if request.POST.get("correct_past") == "1":
        return []
    return [_('Past days are read-only. Use "Correct the past" to change them.')]


def _audit_correction(request, shift, member, what: str) -> None:
    if local_date(shift.starts_at) < timezone.localdate():
        audit_record(
            action=AuditAction.CREATE if what == "assign" else AuditAction.DELETE,
            request=request,
            object_type="assignment",
            object_ref=f"{shift.pk}:{member.pk}",
            site_code=shift.site.code,
            detail=f"correction of the past: {what} staff member {member.pk} on shift {shift.pk}",
        )


@require_POST
@permission_required(Action.ROSTER_PLAN)
def assign(request):
    shift = get_object_or_404(Shift.objects.select_related("site"), pk=posted_id(request, "shift"))
    member = get_object_or_404(StaffMember, pk=posted_id(request, "member"))
    if not may_plan(request.user, shift.site):
        raise PermissionDenied
    if member.site_id != shift.site_id and not may_plan(request.user, member.site):
        raise PermissionDenied
    errors = _past_refused(request, shift)
    if not errors:
        try:
            # A correction of the past and its audit entry: one transaction, both or neither.
            with transaction.atomic():
                assignment_create(shift=shift, staff_member=member, assigned_by=request.user)
                _audit_correction(request, shift, member, "assign")
        except ValidationError as error:
            errors = error.messages
    return _cell_response(request, shift.site, member, local_date(shift.starts_at), errors)


@require_POST
@permission_required(Action.ROSTER_PLAN)
def unassign(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("shift__site", "staff_member"), pk=pk
    )
    site = assignment.shift.site
    if not may_plan(request.user, site):
        raise PermissionDenied
    errors = _past_refused(request, assignment.shift)
    if not errors:
        try:
            with transaction.atomic():
                assignment_delete(assignment=assignment, deleted_by=request.user)
                _audit_correction(request, assignment.shift, assignment.staff_member, "unassign")
        except ValidationError as error:
            errors = error.messages
    return _cell_response(
        request, site, assignment.staff_member, local_date(assignment.starts_at), errors
    )
