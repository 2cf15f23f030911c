"""The rostering rules of assignment_create, for many people and shifts at once.

`assignment_problems_many` loads what the rules read — the people's assignments, counting
consultations, approved absences and qualifications around the shifts, and the certified
people already on each shift — in a fixed number of queries, then evaluates every rule in
Python. `assignment_problems` (and so assignment_create, under its locks) is the same code for
one person and one shift: the rules and their messages exist once. Pages that list who may
take which shift (the day roster's picker, replacement candidates, open shifts) therefore
cost the same number of queries for 5 people or 50.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Q
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

from .time import local, local_date, union_seconds, week_bounds


def _when(instant) -> str:
    return date_format(local(instant), "D j b H:i")


def hours_of(periods) -> Decimal:
    """Total length of the union of (start, end) periods, in hours."""
    return Decimal(union_seconds(periods)) / 3600


def _valid_on(valid_from: date, valid_to: date | None, day: date) -> bool:
    """As QualificationQuerySet.valid_on."""
    return valid_from <= day and (valid_to is None or valid_to >= day)


def trainee_by_kinds(kinds: set) -> bool:
    """In training and not (yet) certified, given the kinds of qualification valid that day."""
    return (
        Qualification.Kind.IN_TRAINING in kinds
        and Qualification.Kind.CERTIFIED_RESPONDER not in kinds
    )


@dataclass
class _Facts:
    """What the rules read about one person, around the shifts being checked."""

    # (shift id, start, end), ordered as Assignment (starts_at, id).
    assignments: list = field(default_factory=list)
    # (start, end) of consultations that count (invited or present).
    consultations: list = field(default_factory=list)
    # (kind, start, end) of approved absences, ordered as Absence (-starts_at, id).
    absences: list = field(default_factory=list)
    # (kind, valid from, valid to).
    qualifications: list = field(default_factory=list)

    def is_trainee(self, day: date) -> bool:
        return trainee_by_kinds(
            {kind for kind, start, end in self.qualifications if _valid_on(start, end, day)}
        )

    def week_periods(self, day: date) -> list:
        start, end = week_bounds(day)
        return [(s, e) for _shift, s, e in self.assignments if start <= s < end] + [
            (s, e) for s, e in self.consultations if start <= s < end
        ]


def _facts_load(shifts: list[Shift], members: list[StaffMember]):
    """Per person their _Facts, and per shift the (valid from, valid to) of the certified
    qualifications of the people on it: five queries whatever the numbers."""
    facts = {member.pk: _Facts() for member in members}
    certified_on = defaultdict(list)
    if not shifts or not members:
        return facts, certified_on
    rest = timedelta(hours=settings.MIN_REST_HOURS)
    # Everything a rule looks at: the ISO weeks of the shifts' days, and the rest around them.
    low = min(
        min(week_bounds(local_date(s.starts_at))[0] for s in shifts),
        min(s.starts_at for s in shifts) - rest,
    )
    high = max(
        max(week_bounds(local_date(s.starts_at))[1] for s in shifts),
        max(s.ends_at for s in shifts) + rest,
    )
    shift_ids = [s.pk for s in shifts]
    _person_facts_load(facts, low, high, shift_ids)
    for shift_id, valid_from, valid_to in Qualification.objects.filter(
        kind=Qualification.Kind.CERTIFIED_RESPONDER, staff_member__assignments__shift__in=shift_ids
    ).values_list("staff_member__assignments__shift_id", "valid_from", "valid_to"):
        certified_on[shift_id].append((valid_from, valid_to))
    return facts, certified_on


def _person_facts_load(facts: dict, low, high, shift_ids=()) -> None:
    """Fill each person's _Facts with what lies between `low` and `high` (and their
    assignments on `shift_ids`): four queries."""
    member_ids = list(facts)
    for member_id, shift_id, starts_at, ends_at in (
        Assignment.objects.filter(staff_member__in=member_ids)
        .filter(Q(starts_at__lt=high, ends_at__gt=low) | Q(shift__in=shift_ids))
        .order_by("starts_at", "id")
        .values_list("staff_member_id", "shift_id", "starts_at", "ends_at")
    ):
        facts[member_id].assignments.append((shift_id, starts_at, ends_at))
    for member_id, starts_at, ends_at in ConsultationAttendance.objects.filter(
        staff_member__in=member_ids,
        attendance__in=ConsultationAttendance.COUNTING,
        consultation__starts_at__gte=low,
        consultation__starts_at__lt=high,
    ).values_list("staff_member_id", "consultation__starts_at", "consultation__ends_at"):
        facts[member_id].consultations.append((starts_at, ends_at))
    for member_id, kind, starts_at, ends_at in (
        Absence.objects.approved()
        .filter(staff_member__in=member_ids)
        .overlapping(low, high)
        .order_by("-starts_at", "id")
        .values_list("staff_member_id", "kind", "starts_at", "ends_at")
    ):
        facts[member_id].absences.append((kind, starts_at, ends_at))
    for member_id, kind, valid_from, valid_to in Qualification.objects.filter(
        staff_member__in=member_ids
    ).values_list("staff_member_id", "kind", "valid_from", "valid_to"):
        facts[member_id].qualifications.append((kind, valid_from, valid_to))


def week_hours(member: StaffMember, day: date) -> Decimal:
    """Hours worked in the local ISO week of `day`: shifts and consultations (not excused
    or absent), a consultation during a shift counted once."""
    facts = {member.pk: _Facts()}
    _person_facts_load(facts, *week_bounds(day))
    return hours_of(facts[member.pk].week_periods(day))


def _overlapping(assignments, start, end) -> list:
    """As AssignmentQuerySet.overlapping, in the same order."""
    return [(shift_id, s, e) for shift_id, s, e in assignments if s < end and e > start]


def _problems(shift: Shift, member: StaffMember, facts: _Facts, certified_on) -> list[str]:
    """Every rule that putting `member` on `shift` would break, as translated messages."""
    problems = []
    day = local_date(shift.starts_at)
    name = str(member)
    if any(shift_id == shift.pk for shift_id, _s, _e in facts.assignments):
        return [_("%(name)s is already on this shift.") % {"name": name}]
    if not member.is_active_on(day):
        problems.append(_("%(name)s is not active on this date.") % {"name": name})
    if not member.may_serve(shift.channel):
        problems.append(
            _("%(name)s does not serve the channel %(channel)s.")
            % {"name": name, "channel": Channel(shift.channel).label}
        )
    overlapping = _overlapping(facts.assignments, shift.starts_at, shift.ends_at)
    if overlapping:
        problems.append(
            _("%(name)s is already on an overlapping shift (%(start)s).")
            % {"name": name, "start": _when(overlapping[0][1])}
        )
    rest = timedelta(hours=settings.MIN_REST_HOURS)
    for _shift, other_start, other_end in _overlapping(
        facts.assignments, shift.starts_at - rest, shift.ends_at + rest
    ):
        # Shifts of the same working day may follow each other; rest is between days.
        if local_date(other_start) == day:
            continue
        gap = max(shift.starts_at - other_end, other_start - shift.ends_at)
        if timedelta(0) <= gap < rest:
            problems.append(
                _("%(name)s would have less than %(hours)s hours of rest (shift at %(start)s).")
                % {"name": name, "hours": settings.MIN_REST_HOURS, "start": _when(other_start)}
            )
            break
    limit = member.contract_hours + settings.WEEKLY_HOURS_MARGIN
    total = hours_of([*facts.week_periods(day), (shift.starts_at, shift.ends_at)])
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
    absence = next(
        (
            kind
            for kind, s, e in facts.absences
            if s < shift.ends_at and e > shift.starts_at  # as AbsenceQuerySet.overlapping
        ),
        None,
    )
    if absence:
        problems.append(
            _("%(name)s is absent (%(kind)s) during this shift.")
            % {"name": name, "kind": Absence.Kind(absence).label}
        )
    if facts.is_trainee(day) and not any(
        _valid_on(start, end, day) for start, end in certified_on[shift.pk]
    ):
        problems.append(
            _("%(name)s is in training: assign a certified colleague to this shift first.")
            % {"name": name}
        )
    return problems


def assignment_problems_many(
    shifts: list[Shift], members: list[StaffMember]
) -> dict[tuple[int, int], list[str]]:
    """{(member id, shift id): broken rules} for every person and shift, in a fixed number
    of queries (members with their user loaded, or str() costs one query each)."""
    shifts, members = list(shifts), list(members)
    facts, certified_on = _facts_load(shifts, members)
    return {
        (member.pk, shift.pk): _problems(shift, member, facts[member.pk], certified_on)
        for member in members
        for shift in shifts
    }
