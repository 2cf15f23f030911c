"""Putting people on shifts and taking them off, with the rostering rules.

The rules (written once, in .eligibility) are checked here under the locks, on every
database: nobody on two overlapping shifts; a minimum rest between working days; weekly
hours (ISO week, local) at most contract hours plus a margin, consultation time included;
not during an approved absence; only channels the person may serve; only within their
active period; a trainee only with a certified colleague on the same shift. On PostgreSQL
an exclusion constraint backs up the overlap rule.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from staffing.models import (
    Assignment,
    Qualification,
    Shift,
    StaffMember,
)

from .eligibility import assignment_problems_many, trainee_by_kinds, week_hours  # noqa: F401
from .notifications import shift_change_notify
from .time import local_date


def is_trainee(member: StaffMember, day) -> bool:
    """In training and not (yet) certified on `day`."""
    return trainee_by_kinds(set(member.qualifications.valid_on(day).values_list("kind", flat=True)))


def _certified_on_shift(shift: Shift, day, exclude_member=None) -> bool:
    qualified = Qualification.objects.valid_on(day).filter(
        kind=Qualification.Kind.CERTIFIED_RESPONDER, staff_member__assignments__shift=shift
    )
    if exclude_member is not None:
        qualified = qualified.exclude(staff_member=exclude_member)
    return qualified.exists()


def leaving_problems(shift: Shift, leaver: StaffMember, taker: StaffMember | None = None):
    """What `leaver` leaving `shift` would break: a trainee left without a certified
    colleague. A certified `taker` (a swap: someone takes the place) is such a colleague.
    The one rule for taking someone off a shift and for handing a shift over."""
    day = local_date(shift.starts_at)
    if is_trainee(leaver, day):
        return []
    trainees = [
        a.staff_member
        for a in shift.assignments.exclude(staff_member=leaver).select_related("staff_member__user")
        if is_trainee(a.staff_member, day)
    ]
    if not trainees or _certified_on_shift(shift, day, exclude_member=leaver):
        return []
    certified = Qualification.Kind.CERTIFIED_RESPONDER
    if taker is not None and taker.qualifications.valid_on(day).filter(kind=certified).exists():
        return []
    return [
        _("%(trainee)s is in training and would be left without a certified colleague.")
        % {"trainee": str(trainees[0])}
    ]


def assignment_problems(shift: Shift, member: StaffMember) -> list[str]:
    """Every rule that putting `member` on `shift` would break, as translated messages (the
    rules live in .eligibility, shared with the batched check of many people and shifts)."""
    return assignment_problems_many([shift], [member])[(member.pk, shift.pk)]


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
        # The user comes along (str(member) names them in the messages); only the member's
        # row is locked.
        member = (
            StaffMember.objects.select_for_update(of=("self",))
            .select_related("user")
            .get(pk=staff_member.pk)
        )
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
        problems = leaving_problems(shift, member)
        if problems:
            raise ValidationError(problems)
        Assignment.objects.filter(pk=assignment.pk).delete()
        shift_change_notify(shift=shift, member=member, change="removed", by=deleted_by)
