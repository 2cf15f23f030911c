"""A responder's own shifts (of published rosters only), and their calendar feed."""

from datetime import timedelta

import icalendar
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from meldpunt.permissions import Action, permission_required
from staffing.forms import TimeOffForm
from staffing.models import (
    Absence,
    Assignment,
    ConsultationAttendance,
    ReleasedAssignment,
    ShiftOffer,
    StaffMember,
)
from staffing.services.publishing import only_published

FEED_PAST = timedelta(days=30)


def _agenda(member: StaffMember, start, end=None):
    assignments = (
        Assignment.objects.filter(staff_member=member, starts_at__gte=start)
        .select_related("shift__site")
        .order_by("starts_at", "id")
    )
    attendances = (
        ConsultationAttendance.objects.filter(
            staff_member=member,
            attendance__in=ConsultationAttendance.COUNTING,
            consultation__starts_at__gte=start,
        )
        .select_related("consultation__site")
        .order_by("consultation__starts_at", "id")
    )
    if end is not None:
        assignments = assignments.filter(starts_at__lt=end)
        attendances = attendances.filter(consultation__starts_at__lt=end)
    # A draft month stays with the planners until they publish it.
    return only_published(assignments), [a.consultation for a in attendances]


@require_GET
@permission_required(Action.MY_SHIFTS)
def my_shifts(request):
    member = getattr(request.user, "staff_member", None)
    assignments, consultations, feed_url, offers, requests, released = [], [], "", {}, [], []
    now = timezone.now()
    if member:
        assignments, consultations = _agenda(
            member, now - timedelta(days=1), now + timedelta(weeks=8)
        )
        feed_url = request.build_absolute_uri(
            reverse("staffing:ical", kwargs={"token": member.ical_token})
        )
        offers = {
            offer.shift_id: offer
            for offer in ShiftOffer.objects.filter(
                offered_by=member, status__in=ShiftOffer.OPEN, shift__starts_at__gt=now
            ).select_related("taken_by__user")
        }
        for assignment in assignments:
            assignment.offer = offers.get(assignment.shift_id)
        # Shifts taken back from me (absence, handed over), struck through: so I know.
        released = only_published(
            ReleasedAssignment.objects.filter(
                staff_member=member, starts_at__gte=now, starts_at__lt=now + timedelta(weeks=8)
            ).select_related("shift__site")
        )
        requests = Absence.objects.filter(staff_member=member, ends_at__gt=now).order_by(
            "starts_at", "id"
        )[:20]
    return render(
        request,
        "staffing/my_shifts.html",
        {
            "member": member,
            "assignments": assignments,
            "consultations": consultations,
            "feed_url": feed_url,
            "now": now,
            "time_off_form": TimeOffForm(),
            "time_off": list(requests),
            "released": released,
            "colleagues": (
                StaffMember.objects.filter(site=member.site_id, user__is_active=True)
                .exclude(pk=member.pk)
                .select_related("user")
                .order_by("user__first_name", "user__last_name", "id")
                if member
                else []
            ),
        },
    )


@login_not_required  # calendar apps cannot log in: the secret token is the credential
@require_GET
def ical_feed(request, token):
    member = (
        StaffMember.objects.select_related("user")
        .filter(ical_token=token, user__is_active=True)
        .first()
    )
    if member is None:
        raise Http404
    now = timezone.now()
    # Everything ahead: one person has at most a few hundred future events.
    assignments, consultations = _agenda(member, now - FEED_PAST)
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Meldpunt//staffing//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", _("Meldpunt shifts of %(name)s") % {"name": str(member)})
    for assignment in assignments:
        shift = assignment.shift
        event = icalendar.Event()
        event.add("uid", f"assignment-{assignment.pk}@meldpunt")
        event.add("dtstamp", assignment.created_at)
        event.add("dtstart", assignment.starts_at)
        event.add("dtend", assignment.ends_at)
        event.add(
            "summary",
            _("%(channel)s shift, %(site)s")
            % {"channel": shift.get_channel_display(), "site": shift.site},
        )
        calendar.add_component(event)
    for consultation in consultations:
        event = icalendar.Event()
        event.add("uid", f"consultation-{consultation.pk}@meldpunt")
        event.add("dtstamp", now)
        event.add("dtstart", consultation.starts_at)
        event.add("dtend", consultation.ends_at)
        event.add("summary", _("Team case consultation, %(site)s") % {"site": consultation.site})
        calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
