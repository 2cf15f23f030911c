"""The roster proposal: start a run, follow its progress (htmx polling), review it as a
week grid (new assignments marked, shifts left short in red) and accept all of it, a day
or a person — through assignment_create, so every rule is checked again."""

from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from meldpunt.permissions import Action, permission_required
from staffing.forms_proposal import ProposalForm
from staffing.models import Assignment, RosterProposal, Shift, Site, StaffMember, site_of
from staffing.services.demand import demand_apply, demand_compute
from staffing.services.proposal import (
    proposal_accept,
    proposal_create,
    proposal_is_stale,
    proposal_pending,
)
from staffing.services.time import dates_between, day_start, local_date
from staffing.tasks import roster_proposal_run


def _proposal(request, pk) -> RosterProposal:
    return get_object_or_404(
        RosterProposal.objects.select_related("site"),
        pk=pk,
        site__in=Site.objects.plannable_by(request.user),
    )


@require_http_methods(["GET", "POST"])
@permission_required(Action.ROSTER_PLAN)
def proposals(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
    own = site_of(request.user)
    form = ProposalForm(
        request.POST or None,
        sites=sites,
        own_site=own if own and sites.filter(pk=own.pk).exists() else None,
    )
    if request.method == "POST" and form.is_valid():
        first, last = form.period()
        site = form.cleaned_data["site"]
        try:
            with transaction.atomic():
                if form.cleaned_data["from_demand"]:
                    demand = demand_compute(first, last, today=timezone.localdate())
                    demand_apply(site=site, first_day=first, last_day=last, demand=demand)
                proposal = proposal_create(
                    site=site,
                    first_day=first,
                    last_day=last,
                    mode=form.cleaned_data["mode"],
                    created_by=request.user,
                )
                # Queued only once the row is committed (runs in-process without a broker).
                transaction.on_commit(lambda: roster_proposal_run.delay(proposal.pk))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("staffing:proposal", pk=proposal.pk)
    recent = RosterProposal.objects.filter(site__in=sites).select_related("site", "created_by")[:20]
    return render(request, "staffing/proposals.html", {"form": form, "recent": recent})


@require_GET
@permission_required(Action.ROSTER_PLAN)
def proposal_progress(request, pk):
    proposal = _proposal(request, pk)
    response = render(
        request,
        "staffing/_proposal_progress.html",
        {"proposal": proposal, "stale": proposal_is_stale(proposal)},
    )
    if proposal.status == RosterProposal.Status.DONE:
        response["HX-Refresh"] = "true"
    return response


def _week_start(request, proposal) -> date:
    raw = request.GET.get("week")
    if raw:
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise Http404 from None
    else:
        day = proposal.first_day
    if not proposal.first_day - timedelta(days=6) <= day <= proposal.last_day:
        raise Http404
    return day - timedelta(days=day.weekday())


@require_GET
@permission_required(Action.ROSTER_PLAN)
def proposal(request, pk):
    proposal = _proposal(request, pk)
    context = {"proposal": proposal, "stale": proposal_is_stale(proposal)}
    if proposal.status != RosterProposal.Status.DONE:
        return render(request, "staffing/proposal.html", context)
    monday = _week_start(request, proposal)
    days = list(dates_between(monday, monday + timedelta(days=6)))
    start, end = day_start(days[0]), day_start(days[-1] + timedelta(days=1))
    shifts = {
        s.pk: s
        for s in Shift.objects.filter(site=proposal.site, starts_at__gte=start, starts_at__lt=end)
    }
    pending = proposal_pending(proposal)
    members = {
        m.pk: m for m in StaffMember.objects.filter(site=proposal.site).select_related("user")
    }
    grid = defaultdict(lambda: defaultdict(list))  # member → day → entries
    for assignment in Assignment.objects.filter(shift__in=shifts).select_related("shift"):
        member = assignment.staff_member_id
        if member in members:
            grid[member][local_date(assignment.starts_at)].append(
                {"shift": assignment.shift, "new": False}
            )
    for member_id, shift_id in pending:
        if shift_id in shifts and member_id in members:
            shift = shifts[shift_id]
            grid[member_id][local_date(shift.starts_at)].append({"shift": shift, "new": True})
    staffed = defaultdict(int)
    for shift_id in Assignment.objects.filter(shift__in=shifts).values_list("shift", flat=True):
        staffed[shift_id] += 1
    for _member, shift_id in pending:
        staffed[shift_id] += 1
    short = defaultdict(list)
    for shift in shifts.values():
        missing = shift.required_headcount - staffed[shift.pk]
        if missing > 0:
            short[local_date(shift.starts_at)].append({"shift": shift, "missing": missing})
    rows = [
        {
            "member": members[member_id],
            "cells": [
                sorted(grid[member_id][day], key=lambda e: e["shift"].starts_at) for day in days
            ],
            "new": any(e["new"] for day in days for e in grid[member_id][day]),
        }
        for member_id in sorted(members, key=lambda m: str(members[m]))
        if any(grid[member_id][day] for day in days)
    ]
    new_per_day = [sum(1 for r in rows for e in r["cells"][i] if e["new"]) for i in range(7)]
    context.update(
        days=days,
        day_columns=list(zip(days, new_per_day, strict=True)),
        rows=rows,
        week_new=sum(new_per_day),
        short=[sorted(short[day], key=lambda e: e["shift"].starts_at) for day in days],
        pending_count=len(pending),
        previous_week=monday - timedelta(days=7),
        next_week=monday + timedelta(days=7),
        has_previous=monday > proposal.first_day,
        has_next=monday + timedelta(days=7) <= proposal.last_day,
        monday=monday,
    )
    return render(request, "staffing/proposal.html", context)


@require_POST
@permission_required(Action.ROSTER_PLAN)
def proposal_accept_view(request, pk):
    proposal = _proposal(request, pk)
    days = member_id = None
    if request.POST.get("day") or request.POST.get("accept_week"):
        try:
            first = date.fromisoformat(request.POST.get("day") or request.POST["accept_week"])
        except ValueError:
            raise Http404 from None
        days = (
            {first}
            if request.POST.get("day")
            else set(dates_between(first, first + timedelta(days=6)))
        )
    if request.POST.get("member"):
        try:
            member_id = int(request.POST["member"])
        except ValueError:
            raise Http404 from None
    try:
        report = proposal_accept(
            proposal=proposal, accepted_by=request.user, days=days, staff_member_id=member_id
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("staffing:proposal", pk=proposal.pk)
    messages.success(
        request,
        ngettext(
            "%(count)d assignment added to the roster.",
            "%(count)d assignments added to the roster.",
            report["created"],
        )
        % {"count": report["created"]},
    )
    if report["released"]:
        messages.info(
            request,
            _("%(count)d assignments that clashed with an absence were taken off.")
            % {"count": report["released"]},
        )
    for who, shift, reasons in report["refused"][:10]:
        messages.warning(
            request,
            _("Not added, the roster changed since the proposal: %(who)s on %(shift)s — %(why)s")
            % {"who": who, "shift": shift, "why": " ".join(reasons)},
        )
    if len(report["refused"]) > 10:
        messages.warning(
            request, _("… and %(count)d more.") % {"count": len(report["refused"]) - 10}
        )
    week = request.POST.get("week", "")
    url = reverse("staffing:proposal", kwargs={"pk": proposal.pk})
    return redirect(f"{url}?week={week}" if week[:4].isdigit() else url)
