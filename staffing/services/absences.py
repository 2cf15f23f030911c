"""Recording leave, sickness and training."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from staffing.models import Absence, Assignment, StaffMember

from .time import day_start


@transaction.atomic
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
    coordinator it is approved at once. Existing assignments are left alone: the caller
    shows them (`assignments_during`) so someone can take them over."""
    if last_day < first_day:
        raise ValidationError(_("The absence ends before it starts."))
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
    return absence


def assignments_during(absence: Absence):
    """The shifts the absent person was on: to be taken over by a colleague."""
    return (
        Assignment.objects.filter(staff_member=absence.staff_member)
        .overlapping(absence.starts_at, absence.ends_at)
        .select_related("shift")
        .order_by("starts_at", "id")
    )
