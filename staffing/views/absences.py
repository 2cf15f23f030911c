"""Site coordinators record leave, sickness and training of their team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from meldpunt.permissions import Action, permission_required
from staffing.forms import AbsenceForm
from staffing.models import Absence, Site
from staffing.services.absences import absence_record, assignments_during


@require_http_methods(["GET", "POST"])
@permission_required(Action.ABSENCE_MANAGE)
def absences(request):
    sites = Site.objects.plannable_by(request.user)
    if not sites.exists():
        raise PermissionDenied
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
            clashes = list(assignments_during(absence))
            if clashes:
                messages.warning(
                    request,
                    ngettext(
                        "%(name)s is on %(count)d shift in this period: find a replacement.",
                        "%(name)s is on %(count)d shifts in this period: find a replacement.",
                        len(clashes),
                    )
                    % {"name": absence.staff_member, "count": len(clashes)},
                )
            return redirect("staffing:absences")
    upcoming = (
        Absence.objects.filter(staff_member__site__in=sites, ends_at__gt=timezone.now())
        .select_related("staff_member__user", "staff_member__site", "approved_by")
        .order_by("starts_at", "id")[:100]
    )
    return render(request, "staffing/absences.html", {"form": form, "upcoming": upcoming})
