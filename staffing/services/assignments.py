"""Putting people on shifts and taking them off, with the rostering rules.

The rules are checked here, on every database: nobody on two overlapping shifts; a minimum
rest between working days; weekly hours (ISO week, local) at most contract hours plus a
margin, consultation time included; not during an approved absence; only channels the
person may serve; only within their active period; a trainee only with a certified
colleague on the same shift. On PostgreSQL an exclusion constraint backs up the overlap rule.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meldpunt.channels import Channel
from staffing.models import (
    Absence,
    Assignment,
    ConsultationAttendance,
    Qualification,
    Shift,
    StaffMember,
)

from .notifications import shift_change_notify
from .time import local, local_date, week_bounds


def _when(instant) -> str:
    return date_format(local(instant), "D j M H:i")


def is_trainee(member: StaffMember, day) -> bool:
    """In training and not (yet) certified on `day`."""
    kinds = set(member.qualifications.valid_on(day).values_list("kind", flat=True))
    return (
        Qualification.Kind.IN_TRAINING in kinds
        and Qualification.Kind.CERTIFIED_RESPONDER not in kinds
    )


def _certified_on_shift(shift: Shift, day, exclude_member=None) -> bool:
    qualified = Qualification.objects.valid_on(day).filter(
        kind=Qualification.Kind.CERTIFIED_RESPONDER, staff_member__assignments__shift=shift
    )
    if exclude_member is not None:
        qualified = qualified.exclude(staff_member=exclude_member)
    return qualified.exists()


def week_hours(member: StaffMember, day) -> Decimal:
    """Hours worked in the local ISO week of `day`: shifts and consultations (not excused
    or absent), a consultation during a shift counted once."""
    return _hours(_week_periods(member, day))


def _week_periods(member: StaffMember, day) -> list:
    start, end = week_bounds(day)
    periods = list(
        member.assignments.filter(starts_at__gte=start, starts_at__lt=end).values_list(
            "starts_at", "ends_at"
        )
    )
    periods += list(
        _counting_attendances(member)
        .filter(consultation__starts_at__gte=start, consultation__starts_at__lt=end)
        .values_list("consultation__starts_at", "consultation__ends_at")
    )
    return periods


def _hours(periods) -> Decimal:
    """Total length of the union of (start, end) periods, in hours."""
    seconds, reach = 0.0, None
    for period_start, period_end in sorted(periods):
        if reach is not None and period_start < reach:
            period_start = reach
        if period_end > period_start:
            seconds += (period_end - period_start).total_seconds()
            reach = period_end
    return Decimal(seconds) / 3600


def _counting_attendances(member) -> QuerySet:
    return ConsultationAttendance.objects.filter(
        staff_member=member, attendance__in=ConsultationAttendance.COUNTING
    )


def assignment_problems(shift: Shift, member: StaffMember) -> list[str]:
    """Every rule that putting `member` on `shift` would break, as translated messages."""
    problems = []
    day = local_date(shift.starts_at)
    name = str(member)
    if member.assignments.filter(shift=shift).exists():
        return [_("%(name)s is already on this shift.") % {"name": name}]
    if not member.is_active_on(day):
        problems.append(_("%(name)s is not active on this date.") % {"name": name})
    if not member.may_serve(shift.channel):
        problems.append(
            _("%(name)s does not serve the channel %(channel)s.")
            % {"name": name, "channel": Channel(shift.channel).label}
        )
    overlapping = (
        member.assignments.overlapping(shift.starts_at, shift.ends_at)
        .select_related("shift")
        .first()
    )
    if overlapping:
        problems.append(
            _("%(name)s is already on an overlapping shift (%(start)s).")
            % {"name": name, "start": _when(overlapping.starts_at)}
        )
    rest = timedelta(hours=settings.MIN_REST_HOURS)
    for other in member.assignments.overlapping(shift.starts_at - rest, shift.ends_at + rest):
        # Shifts of the same working day may follow each other; rest is between days.
        if local_date(other.starts_at) == day:
            continue
        gap = max(shift.starts_at - other.ends_at, other.starts_at - shift.ends_at)
        if timedelta(0) <= gap < rest:
            problems.append(
                _("%(name)s would have less than %(hours)s hours of rest (shift at %(start)s).")
                % {"name": name, "hours": settings.MIN_REST_HOURS, "start": _when(other.starts_at)}
            )
            break
    limit = member.contract_hours + settings.WEEKLY_HOURS_MARGIN
    total = _hours([*_week_periods(member, day), (shift.starts_at, shift.ends_at)])
    if total > limit:
        problems.append(
            _("%(name)s would work %(total)s hours in week %(week)s; the limit is %(limit)s.")
            % {
                "name": name,
                "total": f"{total:.1f}",
                "week": day.isocalendar().week,
                "limit": f"{limit:.1f}",
            }
        )
    absence = member.absences.approved().overlapping(shift.starts_at, shift.ends_at).first()
    if absence:
        problems.append(
            _("%(name)s is absent (%(kind)s) during this shift.")
            % {"name": name, "kind": Absence.Kind(absence.kind).label}
        )
    if is_trainee(member, day) and not _certified_on_shift(shift, day):
        problems.append(
            _("%(name)s is in training: assign a certified colleague to this shift first.")
            % {"name": name}
        )
    return problems


def assignment_create(
    *, shift: Shift, staff_member: StaffMember, assigned_by=None, only_if_short: bool = False
) -> Assignment:
    """Put `staff_member` on `shift`, or raise ValidationError with every broken rule.

    `only_if_short`: refuse when the shift has its headcount already (sign-ups from the open
    shifts board, first come first served: the shift lock orders the takers). The person is
    mailed when someone else put them on a published shift.

    Lock order, the same in every service that changes assignments: the staff member row
    first, then the shift row. The member lock serialises two planners booking the same person
    (overlap, rest and weekly hours are read after it); the shift lock serialises changes to
    one shift's team (the trainee rule). SQLite has no row locks but serialises writers.
    """
    with transaction.atomic():
        member = StaffMember.objects.select_for_update().get(pk=staff_member.pk)
        shift = Shift.objects.select_for_update().get(pk=shift.pk)
        if only_if_short and shift.assignments.count() >= shift.required_headcount:
            raise ValidationError(_("Someone else just took the last place on this shift."))
        problems = assignment_problems(shift, member)
        if problems:
            raise ValidationError(problems)
        try:
            with transaction.atomic():
                assignment = Assignment.objects.create(
                    shift=shift,
                    staff_member=member,
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    assigned_by=assigned_by,
                )
        except IntegrityError as error:
            # Only a write that bypassed this service can get here (the exclusion constraint).
            raise ValidationError(
                _("%(name)s is already on an overlapping shift.") % {"name": str(member)}
            ) from error
        shift_change_notify(shift=shift, member=member, change="assigned", by=assigned_by)
        return assignment


def assignment_delete(*, assignment: Assignment, deleted_by=None) -> None:
    """Take someone off a shift; refused when it would leave a trainee without a certified
    colleague. Same lock order as assignment_create. The person is mailed when someone else
    took them off a published shift."""
    with transaction.atomic():
        member = StaffMember.objects.select_for_update().get(pk=assignment.staff_member_id)
        shift = Shift.objects.select_for_update().get(pk=assignment.shift_id)
        day = local_date(shift.starts_at)
        trainees = [
            a.staff_member
            for a in shift.assignments.exclude(staff_member=member).select_related("staff_member")
            if is_trainee(a.staff_member, day)
        ]
        if (
            trainees
            and not is_trainee(member, day)
            and not _certified_on_shift(shift, day, exclude_member=member)
        ):
            raise ValidationError(
                _("%(trainee)s is in training and would be left without a certified colleague.")
                % {"trainee": str(trainees[0])}
            )
        Assignment.objects.filter(pk=assignment.pk).delete()
        shift_change_notify(shift=shift, member=member, change="removed", by=deleted_by)
