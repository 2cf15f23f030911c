"""Planning by hand, faster: lay a week's assignments — copied from another week, or from a
saved week template — onto a coming week."""

from dataclasses import dataclass, field
from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from meldpunt.channels import Channel
from staffing.models import Assignment, Shift, Site, StaffMember, WeekTemplate

from .assignments import assignment_create
from .time import day_start, local


@dataclass(frozen=True)
class Entry:
    """One person on one shift of a week, by weekday and local wall-clock times."""

    weekday: int
    channel: str
    start: time
    end: time
    member_id: int

    def label(self, monday: date) -> str:
        day = monday + timedelta(days=self.weekday)
        return (
            f"{Channel(self.channel).label} {date_format(day, 'D j b')} "
            f"{self.start:%H:%M}–{self.end:%H:%M}"
        )


@dataclass
class CopyResult:
    created: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (member, what, reasons)


def _week_entries(site: Site, monday: date) -> list[Entry]:
    assignments = Assignment.objects.filter(
        shift__site=site,
        starts_at__gte=day_start(monday),
        starts_at__lt=day_start(monday + timedelta(days=7)),
    ).select_related("shift")
    entries = []
    for a in assignments.order_by("starts_at", "shift__channel", "id"):
        start, end = local(a.starts_at), local(a.ends_at)
        entries.append(
            Entry(start.weekday(), a.shift.channel, start.time(), end.time(), a.staff_member_id)
        )
    return entries


def _check_target(target_monday: date) -> None:
    if target_monday.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    if day_start(target_monday) <= timezone.now():
        raise ValidationError(_("Only a week that has not started can be filled by copying."))


def _lay(site: Site, target_monday: date, entries: list[Entry], by) -> CopyResult:
    """Each entry through assignment_create (every rule, its own transaction); what breaks
    a rule, or finds no shift of that channel and times that day, is skipped and listed."""
    shifts = {}
    for shift in Shift.objects.filter(
        site=site,
        starts_at__gte=day_start(target_monday),
        starts_at__lt=day_start(target_monday + timedelta(days=7)),
    ):
        start, end = local(shift.starts_at), local(shift.ends_at)
        shifts[(start.weekday(), shift.channel, start.time(), end.time())] = shift
    members = StaffMember.objects.in_bulk({e.member_id for e in entries})
    already = set(
        Assignment.objects.filter(shift__in=shifts.values()).values_list(
            "shift_id", "staff_member_id"
        )
    )
    result = CopyResult()
    for entry in entries:
        member = members.get(entry.member_id)
        if member is None:
            continue  # gone since the template was saved
        shift = shifts.get((entry.weekday, entry.channel, entry.start, entry.end))
        if shift is None:
            result.skipped.append(
                (member, entry.label(target_monday), [_("No such shift in the target week.")])
            )
            continue
        if (shift.pk, member.pk) in already:
            continue  # there already: nothing to copy, nothing broken
        try:
            result.created.append(
                assignment_create(shift=shift, staff_member=member, assigned_by=by)
            )
        except ValidationError as error:
            result.skipped.append((member, entry.label(target_monday), error.messages))
    return result


def week_copy(
    *, site: Site, source_monday: date, target_monday: date, copied_by=None
) -> CopyResult:
    """Put everyone of `site` who worked a shift in the source week on the shift of the same
    channel and local times on the same weekday of the (coming) target week."""
    _check_target(target_monday)
    if source_monday.weekday() != 0:
        raise ValidationError(_("A week starts on a Monday."))
    if target_monday == source_monday:
        raise ValidationError(_("Choose another week to copy from."))
    return _lay(site, target_monday, _week_entries(site, source_monday), copied_by)


def week_template_save(*, site: Site, monday: date, name: str, created_by=None) -> WeekTemplate:
    """Save the assignments of `site`'s week of `monday` as a named template."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the template a name."))
    entries = [
        {
            "weekday": e.weekday,
            "channel": e.channel,
            "start": f"{e.start:%H:%M}",
            "end": f"{e.end:%H:%M}",
            "member": e.member_id,
        }
        for e in _week_entries(site, monday)
    ]
    if not entries:
        raise ValidationError(_("This week has no assignments to save."))
    template = WeekTemplate(site=site, name=name, entries=entries, created_by=created_by)
    template.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError as error:
        raise ValidationError(_("This site has a week template with that name.")) from error
    return template


def week_template_apply(*, template: WeekTemplate, target_monday: date, applied_by=None):
    """Lay a saved week template onto a coming week of its site."""
    _check_target(target_monday)
    entries = [
        Entry(
            int(e["weekday"]),
            e["channel"],
            time.fromisoformat(e["start"]),
            time.fromisoformat(e["end"]),
            int(e["member"]),
        )
        for e in template.entries
    ]
    return _lay(template.site, target_monday, entries, applied_by)
