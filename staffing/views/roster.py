"""The week roster of a site, with assigning and unassigning in place (htmx)."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

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
    return render(
        request,
        "staffing/roster.html",
        {
            "site": site,
            "sites": sites,
            "week": week,
            "rows": week.rows(),
            "day_shifts": [(day, week.shifts_on(day)) for day in week.days],
            "can_plan": may_plan(request.user, site),
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
            {"cell": cell, "can_plan": True, "day": day, "summaries": week.shifts_on(day)},
        )
    for error in errors:
        messages.error(request, error)
    return redirect(_week_url("staffing:roster", site, day))


@require_POST
@permission_required(Action.ROSTER_PLAN)
def assign(request):
    shift = get_object_or_404(Shift.objects.select_related("site"), pk=posted_id(request, "shift"))
    member = get_object_or_404(StaffMember, pk=posted_id(request, "member"))
    if not may_plan(request.user, shift.site):
        raise PermissionDenied
    errors = []
    try:
        assignment_create(shift=shift, staff_member=member, assigned_by=request.user)
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
    errors = []
    try:
        assignment_delete(assignment=assignment)
    except ValidationError as error:
        errors = error.messages
    return _cell_response(
        request, site, assignment.staff_member, local_date(assignment.starts_at), errors
    )
