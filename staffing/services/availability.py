"""Entering availability and wishes, and turning them into periods for the roster proposal.

Each write is one service call in one transaction; the database constraints back up the
form checks (end after start, both times or neither)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from staffing.models import (
    AvailabilityException,
    ShiftLimit,
    StaffMember,
    WeeklyAvailability,
    Wish,
)

from .time import at_local, dates_between, day_start

ENTRY_MODELS = {
    "weekly": WeeklyAvailability,
    "exception": AvailabilityException,
    "wish": Wish,
}


def _times_check(start_time: time | None, end_time: time | None, *, required: bool) -> None:
    if (start_time is None) != (end_time is None) or (required and start_time is None):
        raise ValidationError(_("Give both times, the end after the start, or neither."))
    if start_time is not None and end_time <= start_time:
        raise ValidationError(_("The end time must come after the start time."))


@transaction.atomic
def weekly_availability_add(
    *, staff_member: StaffMember, weekday: int, start_time: time, end_time: time
) -> WeeklyAvailability:
    """A recurring weekly window in which the person can work."""
    _times_check(start_time, end_time, required=True)
    if weekday not in range(7):
        raise ValidationError(_("Unknown weekday."))
    return WeeklyAvailability.objects.create(
        staff_member=staff_member, weekday=weekday, start_time=start_time, end_time=end_time
    )


@transaction.atomic
def availability_exception_add(
    *,
    staff_member: StaffMember,
    day: date,
    available: bool = False,
    start_time: time | None = None,
    end_time: time | None = None,
    note: str = "",
) -> AvailabilityException:
    """One date that differs from the weekly pattern (by default: cannot work that day)."""
    _times_check(start_time, end_time, required=False)
    return AvailabilityException.objects.create(
        staff_member=staff_member,
        day=day,
        available=available,
        start_time=start_time,
        end_time=end_time,
        note=note,
    )


@transaction.atomic
def wish_add(
    *,
    staff_member: StaffMember,
    kind: str,
    weekday: int | None = None,
    start_time: time | None = None,
    end_time: time | None = None,
) -> Wish:
    """Rather (not) on a weekday and/or at a time of day."""
    _times_check(start_time, end_time, required=False)
    if weekday is None and start_time is None:
        raise ValidationError(_("Give a weekday, a time of day, or both."))
    if kind not in Wish.Kind.values:
        raise ValidationError(_("Unknown kind of wish."))
    return Wish.objects.create(
        staff_member=staff_member,
        kind=kind,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
    )


@transaction.atomic
def shift_limit_set(*, staff_member: StaffMember, max_shifts: int | None) -> None:
    """Set the most shifts per month, or remove the limit with None."""
    if max_shifts is None:
        ShiftLimit.objects.filter(staff_member=staff_member).delete()
        return
    if not 0 <= max_shifts <= 62:
        raise ValidationError(_("Give a number from 0 to 62."))
    ShiftLimit.objects.update_or_create(
        staff_member=staff_member, defaults={"max_shifts_per_month": max_shifts}
    )


@transaction.atomic
def availability_entry_delete(*, staff_member: StaffMember, kind: str, pk: int) -> bool:
    """Remove one of the person's own entries; False when there was none (another person's
    entry is never touched)."""
    model = ENTRY_MODELS.get(kind)
    if model is None:
        return False
    deleted, _rows = model.objects.filter(staff_member=staff_member, pk=pk).delete()
    return bool(deleted)


# Reading: availability and wishes as UTC periods over a period of local days.


@dataclass(frozen=True)
class PersonWindows:
    """One person's periods (UTC (start, end) pairs) for the roster proposal."""

    unavailable: list[tuple[datetime, datetime]]
    prefer: list[tuple[datetime, datetime]]
    avoid: list[tuple[datetime, datetime]]


def _merge(periods):
    merged = []
    for start, end in sorted(periods):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _day_period(day: date, start_time: time | None, end_time: time | None):
    if start_time is None:
        return day_start(day), day_start(day + timedelta(days=1))
    return at_local(day, start_time), at_local(day, end_time)


def _complement(day: date, windows):
    """The parts of a local day outside the given (start, end) periods."""
    result, cursor = [], day_start(day)
    end_of_day = day_start(day + timedelta(days=1))
    for start, end in _merge(windows):
        if start > cursor:
            result.append((cursor, start))
        cursor = max(cursor, end)
    if cursor < end_of_day:
        result.append((cursor, end_of_day))
    return result


def person_windows(
    member: StaffMember, first_day: date, last_day: date, *, weekly, exceptions, wishes
) -> PersonWindows:
    """Unavailable, preferred and avoided periods of one person from first_day to last_day.

    weekly/exceptions/wishes are that person's rows (prefetched by the caller). With weekly
    windows the person is unavailable outside them; an exception on a date overrides the
    pattern: unavailable (all day or its hours), or available (all day or its hours)."""
    by_day = {}
    for exception in exceptions:
        by_day.setdefault(exception.day, []).append(exception)
    unavailable, prefer, avoid = [], [], []
    for day in dates_between(first_day, last_day):
        windows = [
            at_local_pair(day, w.start_time, w.end_time)
            for w in weekly
            if w.weekday == day.weekday()
        ]
        blocked = _complement(day, windows) if weekly else []
        for exception in by_day.get(day, []):
            period = _day_period(day, exception.start_time, exception.end_time)
            if exception.available:
                blocked = _subtract(blocked, period)
            else:
                blocked.append(period)
        unavailable += blocked
        for wish in wishes:
            if wish.weekday is not None and wish.weekday != day.weekday():
                continue
            period = _day_period(day, wish.start_time, wish.end_time)
            (prefer if wish.kind == Wish.Kind.PREFER else avoid).append(period)
    return PersonWindows(_merge(unavailable), _merge(prefer), _merge(avoid))


def at_local_pair(day: date, start_time: time, end_time: time):
    return at_local(day, start_time), at_local(day, end_time)


def _subtract(periods, cut):
    cut_start, cut_end = cut
    result = []
    for start, end in periods:
        if end <= cut_start or start >= cut_end:
            result.append((start, end))
            continue
        if start < cut_start:
            result.append((start, cut_start))
        if end > cut_end:
            result.append((cut_end, end))
    return result
