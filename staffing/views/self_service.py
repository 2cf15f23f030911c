"""Self-service for responders and volunteers: the open shifts board, giving a shift away,
asking for time off; and the coordinator's approval of swaps."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from meldpunt.permissions import Action, permission_required
from staffing.forms import TimeOffForm
from staffing.models import Assignment, Shift, ShiftOffer, Site, StaffMember
from staffing.services.absences import absence_record
from staffing.services.open_shifts import open_shift_take, open_shifts_for
from staffing.services.swaps import (
    exchangeable,
    offers_for,
    offers_with_problems,
    shift_offer_accept,
    shift_offer_approve,
    shift_offer_create,
    shift_offer_refuse,
    shift_offer_withdraw,
)

from .access import posted_id


def _member(request) -> StaffMember:
    member = getattr(request.user, "staff_member", None)
    if member is None:
        raise PermissionDenied
    return member


def _report(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@require_GET
@permission_required(Action.ROSTER_SELF_SERVICE)
def open_shifts(request):
    member = getattr(request.user, "staff_member", None)
    return render(
        request,
        "staffing/open_shifts.html",
        {
            "member": member,
            "open_shifts": open_shifts_for(member) if member else [],
            # Each offer with the rules taking it would break (the button only when none).
            "offers": offers_with_problems(offers_for(member), member) if member else [],
            # What the member may give in exchange: their own future published shifts.
            "mine": exchangeable(member) if member else [],
        },
    )


@require_POST
@permission_required(Action.ROSTER_SELF_SERVICE)
def open_shift_sign_up(request, pk):
    member = _member(request)
    shift = get_object_or_404(Shift.objects.select_related("site"), pk=pk, site=member.site_id)
    try:
        open_shift_take(shift=shift, member=member, user=request.user)
    except ValidationError as error:
        _report(request, error)
        return redirect("staffing:open_shifts")
    messages.success(request, _("The shift is yours. It is in your shifts now."))
    return redirect("staffing:my_shifts")


@require_POST
@permission_required(Action.ROSTER_SELF_SERVICE)
def offer_create(request, pk):
    member = _member(request)
    assignment = get_object_or_404(
        Assignment.objects.select_related("shift__site", "staff_member"),
        pk=pk,
        staff_member=member,
    )
    offered_to = None
    if request.POST.get("offered_to"):
        offered_to = get_object_or_404(
            StaffMember, pk=posted_id(request, "offered_to"), site=member.site_id
        )
    try:
        shift_offer_create(assignment=assignment, offered_to=offered_to)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("Your shift is offered; you keep it until someone takes it."))
    return redirect("staffing:my_shifts")


@require_POST
@permission_required(Action.ROSTER_SELF_SERVICE)
def offer_withdraw(request, pk):
    member = _member(request)
    offer = get_object_or_404(ShiftOffer, pk=pk, offered_by=member)
    try:
        shift_offer_withdraw(offer=offer, member=member)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("Your offer is withdrawn."))
    return redirect("staffing:my_shifts")


@require_POST
@permission_required(Action.ROSTER_SELF_SERVICE)
def offer_accept(request, pk):
    member = _member(request)
    offer = get_object_or_404(offers_for(member), pk=pk)
    in_return = None
    if request.POST.get("in_return"):
        in_return = get_object_or_404(
            Assignment.objects.select_related("shift__site"),
            pk=posted_id(request, "in_return"),
            staff_member=member,
        )
    try:
        offer = shift_offer_accept(offer=offer, taker=member, in_return=in_return)
    except ValidationError as error:
        _report(request, error)
        return redirect("staffing:open_shifts")
    if offer.status == ShiftOffer.Status.APPROVED:
        messages.success(request, _("The shift is yours. It is in your shifts now."))
    else:
        messages.success(request, _("Accepted. The coordinator still has to approve it."))
    return redirect("staffing:my_shifts")


@require_POST
@permission_required(Action.ROSTER_SELF_SERVICE)
def time_off_request(request):
    member = _member(request)
    form = TimeOffForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            absence_record(
                staff_member=member,
                kind=data["kind"],
                first_day=data["first_day"],
                last_day=data["last_day"],
                note=data["note"],
                recorded_by=request.user,
                approved=False,
            )
        except ValidationError as error:
            _report(request, error)
        else:
            messages.success(request, _("Your request is sent to your coordinator."))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect("staffing:my_shifts")


def _swaps_of(user):
    return ShiftOffer.objects.filter(
        status=ShiftOffer.Status.ACCEPTED,
        shift__site__in=Site.objects.plannable_by(user),
        shift__starts_at__gt=timezone.now(),
    ).select_related("shift__site", "offered_by__user", "taken_by__user", "in_return")


@require_GET
@permission_required(Action.ROSTER_PLAN)
def swaps(request):
    return render(request, "staffing/swaps.html", {"offers": list(_swaps_of(request.user))})


@require_POST
@permission_required(Action.ROSTER_PLAN)
def swap_decide(request, pk):
    offer = get_object_or_404(_swaps_of(request.user), pk=pk)
    decision = request.POST.get("decision")
    if decision not in ("approve", "refuse"):
        raise Http404
    try:
        if decision == "approve":
            shift_offer_approve(offer=offer, decided_by=request.user)
            messages.success(request, _("Swap approved."))
        else:
            shift_offer_refuse(offer=offer, decided_by=request.user)
            messages.success(request, _("Swap refused."))
    except ValidationError as error:
        _report(request, error)
    return redirect("staffing:swaps")
