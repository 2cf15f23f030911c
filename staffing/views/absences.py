"""Site coordinators record leave, sickness and training of their team, answer time-off
requests, and find replacements for the shifts an absence released."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meldpunt.permissions import Action, permission_required
from staffing.forms import AbsenceForm
from staffing.models import Absence, Assignment, Site
from staffing.services.absences import (
    absence_approve,
    absence_record,
    absence_refuse,
    absence_replan,
    replacement_candidates,
)
from staffing.tasks import roster_proposal_run


def _plannable_sites(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
    return sites


@require_http_methods(["GET", "POST"])
@permission_required(Action.ABSENCE_MANAGE)
def absences(request):
    sites = _plannable_sites(request)
    form = AbsenceForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            absence = absence_record(
                staff_member=data["staff_member"],
                kind=data["kind"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                note=data["note"],
                recorded_by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Absence recorded."))
            released = absence.released_assignments.count()
            if released:
                messages.warning(
                    request,
                    ngettext(
                        "%(name)s was released from %(count)d shift: find a replacement.",
                        "%(name)s was released from %(count)d shifts: find a replacement.",
                        released,
                    )
                    % {"name": absence.staff_member, "count": released},
                )
                return redirect("staffing:absence_detail", pk=absence.pk)
            return redirect("staffing:absences")
    ours = Absence.objects.filter(staff_member__site__in=sites).select_related(
        "staff_member__user", "staff_member__site", "approved_by"
    )
    return render(
        request,
        "staffing/absences.html",
        {
            "form": form,
            "pending": ours.pending()
            .filter(ends_at__gt=timezone.now())
            .order_by("starts_at", "id"),
            "upcoming": ours.exclude(refused_at__isnull=False)
            .filter(ends_at__gt=timezone.now())
            .order_by("starts_at", "id")[:100],
        },
    )


@require_GET
@permission_required(Action.ABSENCE_MANAGE)
def absence_detail(request, pk):
    sites = _plannable_sites(request)
    absence = get_object_or_404(
        Absence.objects.select_related("staff_member__user"), pk=pk, staff_member__site__in=sites
    )
    entries = list(
        absence.released_assignments.select_related("shift__site").order_by("starts_at", "id")
    )
    now = timezone.now()
    candidates = replacement_candidates([r.shift for r in entries if r.shift.starts_at > now])
    # Shifts taken over already show their new people; the coverage tells what is still open.
    current = defaultdict(list)
    for assignment in Assignment.objects.filter(
        shift__in=[r.shift_id for r in entries]
    ).select_related("staff_member__user"):
        current[assignment.shift_id].append(assignment)
    released = []
    for entry in entries:
        entry.current = current[entry.shift_id]
        released.append((entry, candidates.get(entry.shift_id, [])))
    return render(
        request,
        "staffing/absence_detail.html",
        {
            "absence": absence,
            "released": released,
            "now": now,
            "ahead": any(entry.shift.starts_at > now for entry in entries),
        },
    )


@require_POST
@permission_required(Action.ABSENCE_MANAGE)
def absence_decide(request, pk):
    sites = _plannable_sites(request)
    absence = get_object_or_404(Absence, pk=pk, staff_member__site__in=sites)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        raise Http404
    try:
        if decision == "approve":
            absence_approve(absence=absence, approved_by=request.user)
            messages.success(request, _("Time off approved."))
            if absence.released_assignments.exists():
                return redirect("staffing:absence_detail", pk=absence.pk)
        else:
            absence_refuse(absence=absence, refused_by=request.user)
            messages.success(request, _("Time off refused."))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("staffing:absences")


@require_POST
@permission_required(Action.ROSTER_PLAN)
def absence_replan_view(request, pk):
    """ "Re-plan these shifts": the solver's repair mode on the released shifts' site and
    days; the coordinator then reviews and accepts the proposal on its usual page."""
    sites = _plannable_sites(request)
    absence = get_object_or_404(Absence, pk=pk, staff_member__site__in=sites)
    try:
        with transaction.atomic():
            proposals = absence_replan(absence=absence, requested_by=request.user, sites=sites)
            for proposal in proposals:
                # Queued only once the row is committed (runs in-process without a broker).
                transaction.on_commit(lambda pk=proposal.pk: roster_proposal_run.delay(pk))
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("staffing:absence_detail", pk=absence.pk)
    if len(proposals) == 1:
        return redirect("staffing:proposal", pk=proposals[0].pk)
    return redirect("staffing:proposals")
