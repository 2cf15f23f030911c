"""Creating shifts: generated from the opening hours, or one by hand."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from staffing.models import Shift, Site

from .opening_hours import OpeningSchedule
from .time import dates_between, day_start


@transaction.atomic
def shifts_generate(
    *,
    site: Site,
    start_date: date,
    end_date: date,
    channels,
    headcount: int = 1,
    schedule: OpeningSchedule | None = None,
) -> list[Shift]:
    """One shift per opening-hours slot per local day from start_date to end_date (both
    included), for each channel. Idempotent: shifts that exist already are left alone (also
    those changed by hand since), so generating a month twice creates nothing new.
    Returns the shifts created."""
    if end_date < start_date:
        raise ValidationError(_("The period ends before it starts."))
    if headcount < 1:
        raise ValidationError(_("A shift needs at least one person."))
    schedule = schedule or OpeningSchedule.load()
    period_start, period_end = day_start(start_date), day_start(end_date + timedelta(days=1))
    existing = set(
        Shift.objects.filter(
            site=site, starts_at__gte=period_start, starts_at__lt=period_end
        ).values_list("channel", "starts_at", "ends_at")
    )
    wanted = []
    for day in dates_between(start_date, end_date):
        for channel in channels:
            for interval in schedule.slot_intervals(channel, day):
                key = (channel, interval.start, interval.end)
                if key in existing:
                    continue
                existing.add(key)
                wanted.append(
                    Shift(
                        site=site,
                        channel=channel,
                        starts_at=interval.start,
                        ends_at=interval.end,
                        required_headcount=headcount,
                    )
                )
    # ignore_conflicts: a concurrent generation of the same period wins the race harmlessly.
    Shift.objects.bulk_create(wanted, ignore_conflicts=True)
    return wanted


@transaction.atomic
def shift_create(
    *, site: Site, channel: str, starts_at: datetime, ends_at: datetime, headcount: int = 1
) -> Shift:
    """A shift made by hand (e.g. e-mail, which has no opening hours)."""
    shift = Shift(
        site=site,
        channel=channel,
        starts_at=starts_at,
        ends_at=ends_at,
        required_headcount=headcount,
    )
    shift.full_clean()
    shift.save()
    return shift
