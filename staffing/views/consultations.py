"""A site's team case consultations: who came, and the minutes."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meldpunt.permissions import Action, permission_required
from staffing.models import CaseConsultation, ConsultationAttendance, Site
from staffing.services.consultations import consultation_minutes_record
from staffing.services.time import day_start, local_date

from .access import chosen_day, chosen_site, may_plan

WEEKS_SHOWN = 4


@require_GET
@permission_required(Action.CONSULTATION_PLAN)
def consultations(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
    site = chosen_site(request, sites)
    day = chosen_day(request)
    monday = day - timedelta(days=day.weekday())
    first = monday - timedelta(weeks=WEEKS_SHOWN - 1)
    meetings = (
        CaseConsultation.objects.filter(
            site=site,
            starts_at__gte=day_start(first),
            starts_at__lt=day_start(monday + timedelta(weeks=1)),
        )
        .select_related("chair__user")
        .prefetch_related("attendances__staff_member__user")
        .order_by("-starts_at", "id")
    )
    base = f"{reverse('staffing:consultations')}?site={site.pk}&week="
    return render(
        request,
        "staffing/consultations.html",
        {
            "site": site,
            "sites": sites,
            "monday": monday,
            "meetings": meetings,
            "choices": ConsultationAttendance.Attendance.choices,
            "previous_url": f"{base}{monday - timedelta(weeks=1):%Y-%m-%d}",
            "next_url": f"{base}{monday + timedelta(weeks=1):%Y-%m-%d}",
        },
    )


@require_POST
@permission_required(Action.CONSULTATION_PLAN)
def consultation_record(request, pk):
    consultation = get_object_or_404(CaseConsultation.objects.select_related("site"), pk=pk)
    if not may_plan(request.user, consultation.site):
        raise PermissionDenied
    attendance = {}
    for key, value in request.POST.items():
        if key.startswith("attendance-"):
            try:
                attendance[int(key.removeprefix("attendance-"))] = value
            except ValueError:
                continue
    try:
        consultation_minutes_record(
            consultation=consultation,
            minutes=request.POST.get("minutes", ""),
            attendance=attendance,
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Consultation saved."))
    local_day = local_date(consultation.starts_at)
    return redirect(
        f"{reverse('staffing:consultations')}?site={consultation.site_id}&week={local_day:%Y-%m-%d}"
    )
