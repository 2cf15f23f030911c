"""Planning by hand, faster: copy a week's assignments onto a coming week."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from staffing.models import Assignment, Shift, Site

from .assignments import assignment_create
from .time import day_start, local


@dataclass
class CopyResult:
    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (member, source shift, reasons)


def week_copy(
    *, site: Site, source_monday: date, target_monday: date, copied_by=None
) -> CopyResult:
    """Put everyone of `site` who worked a shift in the source week on the shift of the same
    channel and local times on the same weekday of the target week. Each one goes through
    assignment_create (every rule, its own transaction); what breaks a rule or finds no
    such shift is skipped and listed. Only weeks that have not started can be filled."""
    if target_monday.weekday() != 0 or source_monday.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    if target_monday == source_monday:
        raise ValidationError(_("Choose another week to copy from."))
    if day_start(target_monday) <= timezone.now():
        raise ValidationError(_("Only a week that has not started can be filled by copying."))
    offset = target_monday - source_monday
    source = (
        Assignment.objects.filter(
            shift__site=site,
            starts_at__gte=day_start(source_monday),
            starts_at__lt=day_start(source_monday + timedelta(days=7)),
        )
        .select_related("shift", "staff_member__user")
        .order_by("starts_at", "shift__channel", "id")
    )
    targets = {
        (s.channel, _local_key(s.starts_at), _local_key(s.ends_at)): s
        for s in Shift.objects.filter(
            site=site,
            starts_at__gte=day_start(target_monday),
            starts_at__lt=day_start(target_monday + timedelta(days=7)),
        )
    }
    result = CopyResult()
    for assignment in source:
        shift = assignment.shift
        key = (
            shift.channel,
            _local_key(shift.starts_at, offset),
            _local_key(shift.ends_at, offset),
        )
        target = targets.get(key)
        if target is None:
            result.skipped.append(
                (assignment.staff_member, shift, [_("No such shift in the target week.")])
            )
            continue
        try:
            result.created.append(
                assignment_create(
                    shift=target, staff_member=assignment.staff_member, assigned_by=copied_by
                )
            )
        except ValidationError as error:
            result.skipped.append((assignment.staff_member, shift, error.messages))
    return result


def _local_key(instant, offset=timedelta(0)):
    """The local wall-clock date and time, moved by whole days (DST-safe)."""
    moment = local(instant)
    return (moment.date() + offset, moment.time())
