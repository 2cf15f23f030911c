"""Coverage, generating shifts and planning consultation series."""

import calendar
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from meldpunt.permissions import Action, permission_required
from staffing.forms import ConsultationSeriesForm, GenerateShiftsForm
from staffing.models import Site
from staffing.selectors import RosterWeek, coverage_week
from staffing.services.consultations import consultation_series_create
from staffing.services.shifts import shifts_generate
from staffing.services.time import BRUSSELS

from .access import chosen_day, chosen_site, may_plan


@require_GET
@permission_required(Action.ROSTER_VIEW)
def coverage(request):
    sites = Site.objects.viewable_by(request.user)
    site = chosen_site(request, sites)
    day = chosen_day(request)
    monday = day - timedelta(days=day.weekday())
    base = f"{reverse('staffing:coverage')}?site={site.pk}&week="
    return render(
        request,
        "staffing/coverage.html",
        {
            "site": site,
            "sites": sites,
            "days": [monday + timedelta(days=i) for i in range(7)],
            "monday": monday,
            "channels": coverage_week(site, monday),
            "can_plan": may_plan(request.user, site),
            "previous_url": f"{base}{monday - timedelta(days=7):%Y-%m-%d}",
            "next_url": f"{base}{monday + timedelta(days=7):%Y-%m-%d}",
            "roster_url": f"{reverse('staffing:roster')}?site={site.pk}&week={monday:%Y-%m-%d}",
        },
    )


def _own_site(request, sites) -> dict:
    """Preselect the planner's own site (or the only one they may plan) on a fresh form."""
    return {} if request.method == "POST" else {"site": chosen_site(request, sites)}


@require_http_methods(["GET", "POST"])
@permission_required(Action.ROSTER_PLAN)
def generate_shifts(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
    form = GenerateShiftsForm(request.POST or None, sites=sites, initial=_own_site(request, sites))
    if request.method == "POST" and form.is_valid():
        first: date = form.cleaned_data["month"].replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        site = form.cleaned_data["site"]
        try:
            created = shifts_generate(
                site=site,
                start_date=first,
                end_date=last,
                channels=form.cleaned_data["channels"],
                headcount=form.cleaned_data["headcount"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext("%(count)d shift created.", "%(count)d shifts created.", len(created))
                % {"count": len(created)},
            )
            return redirect(f"{reverse('staffing:coverage')}?site={site.pk}&week={first:%Y-%m-%d}")
    return render(request, "staffing/generate_shifts.html", {"form": form})


@require_http_methods(["GET", "POST"])
@permission_required(Action.CONSULTATION_PLAN)
def consultation_series(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
    form = ConsultationSeriesForm(
        request.POST or None, sites=sites, initial=_own_site(request, sites)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        site = data["site"]
        attendees = RosterWeek(site, data["first_start"].date()).members
        try:
            created = consultation_series_create(
                site=site,
                first_start=data["first_start"].replace(tzinfo=None).replace(tzinfo=BRUSSELS),
                duration=timedelta(minutes=data["duration_minutes"]),
                until=data["until"],
                every_weeks=data["every_weeks"],
                attendees=attendees if data["invite_site_team"] else (),
                invite_site_team=data["invite_site_team"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d consultation planned.",
                    "%(count)d consultations planned.",
                    len(created),
                )
                % {"count": len(created)},
            )
            first_day = data["first_start"].date()
            return redirect(
                f"{reverse('staffing:roster')}?site={site.pk}&week={first_day:%Y-%m-%d}"
            )
    return render(
        request,
        "staffing/consultation_series.html",
        {"form": form, "title": _("Plan team case consultations")},
    )
