"""Leave, sickness and training: recorded by a coordinator, or requested as time off by the
person and answered by the site coordinator. Approval releases the person's shifts."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meldpunt.roles import Role
from staffing.models import (
    Absence,
    Assignment,
    ReleasedAssignment,
    RosterProposal,
    Shift,
    StaffMember,
)

from .eligibility import assignment_problems_many
from .notifications import Kind, mail_language, notify, page_url, shifts_change_notify
from .open_shifts import open_shifts_notify
from .proposal import proposal_create
from .time import day_start, local_date


def absence_record(
    *,
    staff_member: StaffMember,
    kind: str,
    first_day: date,
    last_day: date,
    note: str = "",
    recorded_by=None,
    approved: bool = True,
) -> Absence:
    """An absence of whole local days, first_day to last_day included. Recorded by a
    coordinator it is approved at once, and the person's shifts in it are released (kept
    as history, the places open again); otherwise it is a request awaiting an answer."""
    if last_day < first_day:
        raise ValidationError(_("The absence ends before it starts."))
    with transaction.atomic():
        # The member lock first, as in every service that changes assignments: nobody can
        # put this person on a shift in the period between the check and the release.
        StaffMember.objects.select_for_update().get(pk=staff_member.pk)
        absence = Absence(
            staff_member=staff_member,
            kind=kind,
            starts_at=day_start(first_day),
            ends_at=day_start(last_day + timedelta(days=1)),
            note=note,
            approved_by=recorded_by if approved else None,
            approved_at=timezone.now() if approved else None,
        )
        absence.full_clean()
        absence.save()
        if approved:
            assignments_release_for_absence(absence=absence, released_by=recorded_by)
        else:
            _request_notify(absence)
    return absence


def absence_approve(*, absence: Absence, approved_by) -> Absence:
    """Approve a time-off request; the person's shifts in it are released."""
    with transaction.atomic():
        StaffMember.objects.select_for_update().get(pk=absence.staff_member_id)
        absence = Absence.objects.select_for_update().get(pk=absence.pk)
        if absence.is_approved or absence.is_refused:
            raise ValidationError(_("This request has been answered already."))
        absence.approved_at, absence.approved_by = timezone.now(), approved_by
        absence.save(update_fields=["approved_at", "approved_by"])
        released = assignments_release_for_absence(absence=absence, released_by=approved_by)
        _answer_notify(absence, approved=True, released=len(released))
    return absence


def absence_refuse(*, absence: Absence, refused_by) -> Absence:
    with transaction.atomic():
        absence = Absence.objects.select_for_update().get(pk=absence.pk)
        if absence.is_approved or absence.is_refused:
            raise ValidationError(_("This request has been answered already."))
        absence.refused_at, absence.refused_by = timezone.now(), refused_by
        absence.save(update_fields=["refused_at", "refused_by"])
        _answer_notify(absence, approved=False, released=0)
    return absence


def assignments_release_for_absence(*, absence: Absence, released_by=None) -> list:
    """Take the absent person off every shift overlapping the absence; each assignment is
    kept as a ReleasedAssignment (struck through on the roster) and its place is open.
    Call inside a transaction holding the staff member's lock."""
    assignments = list(assignments_during(absence))
    if not assignments:
        return []
    # Shift locks after the member lock (the order of assignment_create), in id order.
    shifts = {
        shift.pk: shift
        for shift in Shift.objects.select_for_update()
        .select_related("site")
        .filter(pk__in=[a.shift_id for a in assignments])
        .order_by("pk")
    }
    released = ReleasedAssignment.objects.bulk_create(
        ReleasedAssignment(
            shift=shifts[assignment.shift_id],
            staff_member=assignment.staff_member,
            starts_at=assignment.starts_at,
            ends_at=assignment.ends_at,
            reason=ReleasedAssignment.Reason.ABSENCE,
            absence=absence,
            released_by=released_by,
        )
        for assignment in assignments
    )
    Assignment.objects.filter(pk__in=[a.pk for a in assignments]).delete()
    member = absence.staff_member
    freed = [shifts[a.shift_id] for a in assignments]
    shifts_change_notify(shifts=freed, member=member, change="released", by=released_by)
    open_shifts_notify(shifts=freed, exclude=[member])
    return released


def assignments_during(absence: Absence):
    """The shifts the person is on during the absence."""
    return (
        Assignment.objects.filter(staff_member=absence.staff_member)
        .overlapping(absence.starts_at, absence.ends_at)
        .select_related("shift__site", "staff_member__user")
        .order_by("starts_at", "id")
    )


def absence_replan(*, absence: Absence, requested_by, sites=None) -> list[RosterProposal]:
    """Repair proposals for the shifts this absence released that have not started (of
    `sites` only, when given: those the coordinator may plan): one per site, over the local
    days from the first to the last of those shifts. The repair mode refills what is short
    there and keeps the rest of the roster; the caller queues roster_proposal_run after
    commit and the coordinator reviews and accepts as usual."""
    periods = {}
    ahead = absence.released_assignments.filter(starts_at__gt=timezone.now())
    if sites is not None:
        ahead = ahead.filter(shift__site__in=sites)
    for released in ahead.select_related("shift__site"):
        day = local_date(released.shift.starts_at)
        first, last = periods.get(released.shift.site, (day, day))
        periods[released.shift.site] = (min(first, day), max(last, day))
    if not periods:
        raise ValidationError(_("None of the released shifts lies ahead: nothing to re-plan."))
    with transaction.atomic():
        return [
            proposal_create(
                site=site,
                first_day=first,
                last_day=last,
                mode=RosterProposal.Mode.REPAIR,
                created_by=requested_by,
            )
            for site, (first, last) in sorted(periods.items(), key=lambda item: item[0].pk)
        ]


def replacement_candidates(shifts, limit: int = 8) -> dict[int, list[StaffMember]]:
    """Per shift id, up to `limit` colleagues of the shift's site who may take it without
    breaking any rule; a fixed number of queries however many shifts and people."""
    shifts = list(shifts)
    members = list(
        StaffMember.objects.filter(site__in={s.site_id for s in shifts}, user__is_active=True)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "id")
    )
    problems = assignment_problems_many(shifts, members)
    return {
        shift.pk: [
            member
            for member in members
            if member.site_id == shift.site_id and not problems[member.pk, shift.pk]
        ][:limit]
        for shift in shifts
    }


def _period(absence: Absence) -> str:
    first = local_date(absence.starts_at)
    last = local_date(absence.ends_at - timedelta(seconds=1))
    if first == last:
        return date_format(first, "l j F Y")
    return f"{date_format(first, 'j F')} – {date_format(last, 'j F Y')}"


def _request_notify(absence: Absence) -> None:
    coordinators = StaffMember.objects.filter(
        site=absence.staff_member.site_id, user__groups__name=Role.SITE_COORDINATOR
    ).values_list("user_id", flat=True)
    with mail_language():
        notify(
            user_ids=list(coordinators),
            kind=Kind.TIME_OFF,
            subject=_("time-off request"),
            lines=[
                _("%(name)s asks for time off (%(kind)s): %(period)s.")
                % {
                    "name": absence.staff_member,
                    "kind": absence.get_kind_display(),
                    "period": _period(absence),
                }
            ],
            link=page_url("staffing:absences"),
        )


def _answer_notify(absence: Absence, *, approved: bool, released: int) -> None:
    with mail_language():
        if approved:
            subject = _("time off approved")
            line = _("Your time off is approved: %(period)s.") % {"period": _period(absence)}
        else:
            subject = _("time off refused")
            line = _("Your time-off request is refused: %(period)s. Talk to your coordinator.")
            line = line % {"period": _period(absence)}
        notify(
            user_ids=[absence.staff_member.user_id],
            kind=Kind.TIME_OFF,
            subject=subject,
            lines=[line],
            link=page_url("staffing:my_shifts"),
        )
