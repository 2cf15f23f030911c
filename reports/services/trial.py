"""Evaluation of a labelled opening-hours slot, such as the trial "Proef donderdagavond".

How it counts (correctness first): the slot's occurrences and the channel's open intervals
come from `OpeningSchedule` (holidays and closures closed, exactly as for "outside opening
hours"); contacts and attempts are read raw, one range query each over the whole period,
and placed in the intervals by bisection. The aggregates' hour dimension is not used: a
closure can cut an hour in two, and an interval is half-open ([17:00, 19:00): a contact at
19:00 is outside), which the raw instants answer exactly. Half a year of one channel is a few
thousand rows, so this stays cheap.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from contacts.models import CallAttempt, Contact
from staffing.models import OpeningHours, Site
from staffing.services.opening_hours import OpeningSchedule, Slot
from staffing.services.time import dates_between, day_start, local_date

COUNTS = ("contacts", "attempts", "answered", "unanswered")


def evaluated_slots():
    """The slots worth evaluating: those with a label or marked as a trial."""
    return OpeningHours.objects.filter(~Q(label="") | Q(is_trial=True))


def _as_slot(opening_hours: OpeningHours) -> Slot:
    # Equal (a frozen dataclass) to the Slot the schedule built from the same row.
    return Slot(
        channel=opening_hours.channel,
        weekdays=frozenset(opening_hours.weekdays),
        start_time=opening_hours.start_time,
        end_time=opening_hours.end_time,
        valid_from=opening_hours.valid_from,
        valid_to=opening_hours.valid_to,
        label=opening_hours.label,
        is_trial=opening_hours.is_trial,
    )


def _hours(intervals) -> float:
    return sum((end - start).total_seconds() for start, end in intervals) / 3600


def _locate(instants, intervals) -> list[int | None]:
    """For each instant, the index of the (sorted, disjoint) half-open interval holding it."""
    starts = [start for start, _end in intervals]
    found = []
    for instant in instants:
        index = bisect_right(starts, instant) - 1
        found.append(index if index >= 0 and instant < intervals[index][1] else None)
    return found


def _per_hour(totals: dict, hours: float) -> dict:
    return {key: (totals[key] / hours if hours else None) for key in COUNTS}


def trial_evaluation(
    slot: OpeningHours,
    site: Site | None = None,
    *,
    today: date | None = None,
    schedule: OpeningSchedule | None = None,
) -> dict:
    """Contacts and attempts in each occurrence of `slot`, against the channel's average per
    open hour over the same period.

    The period is the slot's validity, capped at today. An occurrence is a local date on
    which the slot was in force and open (a public holiday or a closure covering it is
    listed in `closed_days` instead). `site` restricts the contacts; attempts carry no site
    (the switch log is line-wide), so they are always the whole line's.
    Rates are per hour; None where there were no open hours.
    """
    schedule = schedule or OpeningSchedule.load()
    today = today or local_date(timezone.now())
    first = slot.valid_from
    last = min(slot.valid_to or today, today)
    wanted = _as_slot(slot)

    occurrences: list[dict] = []
    closed_days: list[dict] = []
    pieces: list[tuple[datetime, datetime]] = []  # the slot's intervals, in time order
    piece_day: list[int] = []  # the occurrence each piece belongs to
    if first <= last:
        for day in dates_between(first, last):
            if not wanted.applies_on(day):
                continue
            own = [i for i in schedule.slot_intervals(slot.channel, day) if i.slot == wanted]
            if not own:
                closed_days.append({"date": day, "holiday": schedule.holiday_name(day) or ""})
                continue
            for interval in own:
                pieces.append((interval.start, interval.end))
                piece_day.append(len(occurrences))
            occurrences.append(
                {"date": day, "hours": _hours((i.start, i.end) for i in own)}
                | dict.fromkeys(COUNTS, 0)
            )

    channel_totals = dict.fromkeys(COUNTS, 0)
    channel_hours = 0.0
    if first <= last:
        start, end = day_start(first), day_start(last + timedelta(days=1))
        open_intervals = schedule.open_intervals(slot.channel, start, end)
        channel_hours = _hours(open_intervals)

        contacts = Contact.objects.filter(
            channel=slot.channel, started_at__gte=start, started_at__lt=end
        )
        if site is not None:
            contacts = contacts.filter(site=site)
        contact_instants = sorted(contacts.values_list("started_at", flat=True))
        attempts = sorted(
            CallAttempt.objects.filter(
                channel=slot.channel, started_at__gte=start, started_at__lt=end
            ).values_list("started_at", "answered")
        )
        attempt_instants = [instant for instant, _answered in attempts]

        for index in _locate(contact_instants, pieces):
            if index is not None:
                occurrences[piece_day[index]]["contacts"] += 1
        channel_totals["contacts"] = sum(
            index is not None for index in _locate(contact_instants, open_intervals)
        )
        for (_instant, answered), index in zip(
            attempts, _locate(attempt_instants, pieces), strict=True
        ):
            if index is not None:
                row = occurrences[piece_day[index]]
                row["attempts"] += 1
                row["answered" if answered else "unanswered"] += 1
        for (_instant, answered), index in zip(
            attempts, _locate(attempt_instants, open_intervals), strict=True
        ):
            if index is not None:
                channel_totals["attempts"] += 1
                channel_totals["answered" if answered else "unanswered"] += 1

    slot_totals: dict = defaultdict(int)
    for row in occurrences:
        for key in COUNTS:
            slot_totals[key] += row[key]
    slot_totals = {key: slot_totals[key] for key in COUNTS}
    slot_hours = sum(row["hours"] for row in occurrences)
    return {
        "slot": slot,
        "site": site,
        "channel": slot.channel,
        "first_day": first,
        "last_day": last,
        "occurrences": occurrences,
        "closed_days": closed_days,
        "slot_hours": slot_hours,
        "slot_totals": slot_totals,
        "slot_per_hour": _per_hour(slot_totals, slot_hours),
        "slot_per_occurrence": {
            key: (slot_totals[key] / len(occurrences) if occurrences else None) for key in COUNTS
        },
        "channel_hours": channel_hours,
        "channel_totals": channel_totals,
        "channel_per_hour": _per_hour(channel_totals, channel_hours),
    }
