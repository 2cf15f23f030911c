"""Availability and wishes: each person enters their own; coordinators see and edit those of
their site's people."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meldpunt.permissions import Action, permission_required
from staffing.forms_availability import (
    AvailabilityExceptionForm,
    ShiftLimitForm,
    WeeklyAvailabilityForm,
    WishForm,
)
from staffing.models import Site, StaffMember
from staffing.services.availability import (
    availability_entry_delete,
    availability_exception_add,
    shift_limit_set,
    weekly_availability_add,
    wish_add,
)

FORMS = {
    "weekly": WeeklyAvailabilityForm,
    "exception": AvailabilityExceptionForm,
    "wish": WishForm,
    "limit": ShiftLimitForm,
}


def _save(member: StaffMember, kind: str, data: dict) -> None:
    if kind == "weekly":
        weekly_availability_add(staff_member=member, **data)
    elif kind == "exception":
        availability_exception_add(staff_member=member, **data)
    elif kind == "wish":
        wish_add(staff_member=member, **data)
    else:
        shift_limit_set(staff_member=member, max_shifts=data["max_shifts"])


def _page(request, member: StaffMember | None, *, own: bool):
    forms = {kind: form_class(prefix=kind) for kind, form_class in FORMS.items()}
    if member is not None:
        limit = getattr(member, "shift_limit", None)
        forms["limit"] = ShiftLimitForm(
            prefix="limit", initial={"max_shifts": limit.max_shifts_per_month if limit else None}
        )
    if request.method == "POST":
        if member is None:
            raise Http404
        kind = request.POST.get("form", "")
        if kind == "delete":
            try:
                pk = int(request.POST.get("pk", ""))
            except ValueError:
                raise Http404 from None
            if not availability_entry_delete(
                staff_member=member, kind=request.POST.get("entry", ""), pk=pk
            ):
                raise Http404
            messages.success(request, _("Removed."))
            return redirect(request.path)
        if kind not in FORMS:
            raise Http404
        form = FORMS[kind](request.POST, prefix=kind)
        forms[kind] = form
        if form.is_valid():
            try:
                _save(member, kind, form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Saved."))
                return redirect(request.path)
    context = {"member": member, "forms": forms, "own": own}
    if member is not None:
        context.update(
            weekly=member.weekly_availability.all(),
            # What is ahead (and the last week), soonest first.
            exceptions=member.availability_exceptions.filter(
                day__gte=timezone.localdate() - timedelta(days=7)
            ).order_by("day", "id")[:60],
            wishes=member.wishes.all(),
        )
    return render(request, "staffing/availability.html", context, status=200)


@require_http_methods(["GET", "POST"])
@permission_required(Action.MY_SHIFTS)
def my_availability(request):
    return _page(request, getattr(request.user, "staff_member", None), own=True)


@require_http_methods(["GET", "POST"])
@permission_required(Action.ROSTER_PLAN)
def member_availability(request, pk):
    sites = Site.objects.plannable_by(request.user)
    member = get_object_or_404(
        StaffMember.objects.select_related("user", "site"), pk=pk, site__in=sites
    )
    return _page(request, member, own=False)


@require_GET
@permission_required(Action.ROSTER_PLAN)
def team_availability(request):
    sites = Site.objects.plannable_by(request.user)
    members = (
        StaffMember.objects.filter(site__in=sites, user__is_active=True)
        .select_related("user", "site")
        .annotate(
            max_shifts=F("shift_limit__max_shifts_per_month"),
            weekly_count=Count("weekly_availability", distinct=True),
            exception_count=Count("availability_exceptions", distinct=True),
            wish_count=Count("wishes", distinct=True),
        )
        .order_by("site__name", "user__username", "id")
    )
    return render(request, "staffing/team_availability.html", {"members": members})
