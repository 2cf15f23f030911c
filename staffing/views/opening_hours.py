"""Opening hours per channel, with their history; changed by the Flemish coordinator."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from meldpunt.permissions import Action, can, permission_required
from staffing.forms import EndSlotForm, OpeningHoursForm
from staffing.models import Closure, OpeningHours
from staffing.services.opening_hours import opening_hours_create, opening_hours_end


@require_http_methods(["GET", "POST"])
@permission_required(Action.OPENING_HOURS_VIEW)
def opening_hours(request):
    can_edit = can(request.user, Action.OPENING_HOURS_EDIT)
    form = OpeningHoursForm(request.POST or None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        if form.is_valid():
            try:
                opening_hours_create(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Opening hours added."))
                return redirect("staffing:opening_hours")
    return render(
        request,
        "staffing/opening_hours.html",
        {
            "slots": OpeningHours.objects.order_by("channel", "-valid_from", "start_time", "id"),
            "closures": Closure.objects.order_by("-starts_at", "id")[:20],
            "form": form,
            "end_form": EndSlotForm(),
            "can_edit": can_edit,
        },
    )


@require_POST
@permission_required(Action.OPENING_HOURS_EDIT)
def opening_hours_end_view(request, pk):
    slot = get_object_or_404(OpeningHours, pk=pk)
    form = EndSlotForm(request.POST)
    if form.is_valid():
        try:
            opening_hours_end(slot=slot, last_day=form.cleaned_data["last_day"])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Opening hours changed."))
    else:
        messages.error(request, _("Give the last day."))
    return redirect("staffing:opening_hours")
