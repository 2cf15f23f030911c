"""The open shifts board: published shifts still short of people, taken first come first
served by the people of that site and channel."""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from staffing.models import Assignment, Shift, StaffMember

from .assignments import assignment_create
from .eligibility import assignment_problems_many
from .notifications import (
    Kind,
    mail_language,
    notify,
    page_url,
    shift_is_published,
    shift_label,
    shifts_published,
)
from .publishing import published_months, shift_month


@dataclass
class OpenShift:
    shift: Shift
    assigned: int
    problems: list

    @property
    def missing(self) -> int:
        return self.shift.required_headcount - self.assigned


def open_shifts_for(member: StaffMember, *, now=None, limit: int = 60) -> list[OpenShift]:
    """The published, future, short shifts of `member`'s site and channels that they are
    not on, each with the rules taking it would break (empty: they may take it)."""
    now = now or timezone.now()
    shifts = list(
        Shift.objects.filter(
            site=member.site_id, channel__in=member.channels or [], starts_at__gt=now
        )
        .annotate(assigned=Count("assignments"))
        .filter(assigned__lt=F("required_headcount"))
        .exclude(assignments__staff_member=member)
        .select_related("site")
        .order_by("starts_at", "channel", "id")[: limit * 3]
    )
    published = published_months({member.site_id})
    shifts = [s for s in shifts if (s.site_id, shift_month(s)) in published][:limit]
    problems = assignment_problems_many(shifts, [member])
    return [OpenShift(s, s.assigned, problems[member.pk, s.pk]) for s in shifts]


def open_shift_take(*, shift: Shift, member: StaffMember, user) -> Assignment:
    """`member` signs up for an open place on `shift` (all rules; refused when the shift is
    not published, past, of another site or full — whoever is first gets the place)."""
    if shift.site_id != member.site_id:
        raise ValidationError(_("This shift belongs to another site."))
    if shift.starts_at <= timezone.now():
        raise ValidationError(_("This shift has already started."))
    if not shift_is_published(shift):
        raise ValidationError(_("This shift is not published yet."))
    return assignment_create(shift=shift, staff_member=member, assigned_by=user, only_if_short=True)


def open_shift_notify(*, shift: Shift, exclude=()) -> None:
    """Tell the colleagues who may take a published shift that a place opened up on it."""
    open_shifts_notify(shifts=[shift], exclude=exclude)


def open_shifts_notify(*, shifts, exclude=()) -> None:
    """open_shift_notify for several shifts in a fixed number of queries: each colleague who
    may take one or more of them gets one mail listing those."""
    shifts = shifts_published(shifts)
    if not shifts:
        return
    members = list(
        StaffMember.objects.filter(site__in={s.site_id for s in shifts}, user__is_active=True)
        .exclude(pk__in=[m.pk for m in exclude])
        .select_related("user")
    )
    problems = assignment_problems_many(shifts, members)
    # Colleagues who may take the same shifts share one mail (one task).
    takers = defaultdict(list)
    for member in members:
        mine = tuple(
            shift
            for shift in shifts
            if shift.site_id == member.site_id and not problems[member.pk, shift.pk]
        )
        if mine:
            takers[mine].append(member.user_id)
    with mail_language():
        for mine, user_ids in takers.items():
            notify(
                user_ids=user_ids,
                kind=Kind.OPEN_SHIFT,
                subject=ngettext("open shift", "open shifts", len(mine)),
                lines=[
                    _("A place opened up on this shift: %(shift)s.") % {"shift": shift_label(s)}
                    for s in mine
                ],
                link=page_url("staffing:open_shifts"),
            )
