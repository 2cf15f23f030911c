"""When is a channel open? The single source of truth for contacts, reports and rosters.

Rules (DESIGN.md): weekly slots per channel in Europe/Brussels local time, each valid for a
period of local dates, so a past instant is judged by the slots in force on its local date;
slots are half-open [start, end); Belgian public holidays and closures are closed;
e-mail has no opening hours (never open, and never "outside" them).

For bulk use (reports, imports) load one `OpeningSchedule` and ask it many questions: it
reads the slots and closures once and caches every (channel, date) it has computed.
The module functions below load a fresh schedule per call (two queries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import holidays
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meldpunt.channels import Channel
from staffing.models import Closure, OpeningHours

from .time import at_local, day_start, local


@dataclass(frozen=True)
class Slot:
    channel: str
    weekdays: frozenset[int]
    start_time: time
    end_time: time
    valid_from: date
    valid_to: date | None
    label: str = ""
    is_trial: bool = False

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
        )


@dataclass(frozen=True)
class SlotInterval:
    """One slot on one day, as UTC instants, after holidays and closures."""

    start: datetime
    end: datetime
    slot: Slot


class OpeningSchedule:
    """Opening hours loaded once; answers any number of questions without queries."""

    def __init__(self, slots, closures=()):
        self.slots = [s for s in slots if s.channel != Channel.EMAIL]
        # closures: (channel or "", start_utc, end_utc)
        self.closures = sorted(closures, key=lambda c: c[1])
        # Holiday names are shown to users: in Dutch, unless the reader switched to English.
        language = "en_US" if (translation.get_language() or "nl").startswith("en") else "nl"
        self._holidays = holidays.country_holidays("BE", language=language)
        self._cache: dict[tuple[str, date], list[SlotInterval]] = {}

    @classmethod
    def load(cls) -> OpeningSchedule:
        slots = [
            Slot(
                channel=o.channel,
                weekdays=frozenset(o.weekdays),
                start_time=o.start_time,
                end_time=o.end_time,
                valid_from=o.valid_from,
                valid_to=o.valid_to,
                label=o.label,
                is_trial=o.is_trial,
            )
            for o in OpeningHours.objects.all()
        ]
        closures = list(Closure.objects.values_list("channel", "starts_at", "ends_at"))
        return cls(slots, closures)

    def is_holiday(self, day: date) -> bool:
        return day in self._holidays

    def holiday_name(self, day: date) -> str | None:
        return self._holidays.get(day)

    def slot_intervals(self, channel: str, day: date) -> list[SlotInterval]:
        """The open intervals of one local day, one per slot (a closure may split a slot)."""
        key = (channel, day)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        result: list[SlotInterval] = []
        if channel != Channel.EMAIL and not self.is_holiday(day):
            for slot in self.slots:
                if slot.channel == channel and slot.applies_on(day):
                    start, end = at_local(day, slot.start_time), at_local(day, slot.end_time)
                    for piece in self._minus_closures(channel, start, end):
                        result.append(SlotInterval(piece[0], piece[1], slot))
        result.sort(key=lambda i: (i.start, i.end))
        self._cache[key] = result
        return result

    def _minus_closures(self, channel, start, end):
        pieces = [(start, end)]
        for closure_channel, c_start, c_end in self.closures:
            if closure_channel and closure_channel != channel:
                continue
            if c_start >= end or c_end <= start:
                continue
            next_pieces = []
            for p_start, p_end in pieces:
                if c_start > p_start:
                    next_pieces.append((p_start, min(p_end, c_start)))
                if c_end < p_end:
                    next_pieces.append((max(p_start, c_end), p_end))
            pieces = [(s, e) for s, e in next_pieces if e > s]
        return pieces

    def intervals_on(self, channel: str, day: date) -> list[tuple[datetime, datetime]]:
        """The open intervals of one local day, overlapping and touching slots merged."""
        return _merge([(i.start, i.end) for i in self.slot_intervals(channel, day)])

    def is_open(self, channel: str, instant: datetime) -> bool:
        day = local(instant).date()
        return any(i.start <= instant < i.end for i in self.slot_intervals(channel, day))

    def is_outside_opening_hours(self, channel: str, instant: datetime) -> bool:
        if channel == Channel.EMAIL:
            return False
        return not self.is_open(channel, instant)

    def open_intervals(
        self, channel: str, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime]]:
        """The open intervals of [start, end), merged and clipped, as UTC instants."""
        if start >= end:
            return []
        first, last = local(start).date(), local(end).date()
        raw = []
        day = first
        while day <= last:
            for i_start, i_end in self.intervals_on(channel, day):
                clipped = (max(i_start, start), min(i_end, end))
                if clipped[1] > clipped[0]:
                    raw.append(clipped)
            day += timedelta(days=1)
        return _merge(raw)


def _merge(intervals):
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def is_open(channel: str, instant: datetime) -> bool:
    """Whether `channel` was or will be open at `instant` (e-mail: never)."""
    return OpeningSchedule.load().is_open(channel, instant)


def is_outside_opening_hours(channel: str, instant: datetime) -> bool:
    """DESIGN.md's "outside opening hours": not open; never for e-mail."""
    return OpeningSchedule.load().is_outside_opening_hours(channel, instant)


def open_intervals(channel: str, start: datetime, end: datetime):
    """Open intervals of `channel` within [start, end) as (start_utc, end_utc) pairs."""
    return OpeningSchedule.load().open_intervals(channel, start, end)


def closure_create(
    *,
    reason: str,
    channel: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> Closure:
    """Close one channel (or all, channel="") for an instant range, or for whole local days
    from first_day to last_day (both included; midnight to midnight, DST-safe)."""
    if first_day is not None:
        starts_at = day_start(first_day)
        ends_at = day_start((last_day or first_day) + timedelta(days=1))
    closure = Closure(channel=channel, starts_at=starts_at, ends_at=ends_at, reason=reason)
    closure.full_clean()
    closure.save()
    return closure


def _clashes(slot: OpeningHours, other: OpeningHours) -> bool:
    far_future = date.max
    return (
        slot.channel == other.channel
        and bool(set(slot.weekdays) & set(other.weekdays))
        and slot.start_time < other.end_time
        and other.start_time < slot.end_time
        and slot.valid_from <= (other.valid_to or far_future)
        and other.valid_from <= (slot.valid_to or far_future)
    )


@transaction.atomic
def opening_hours_create(*, today: date | None = None, **fields) -> OpeningHours:
    """A new weekly slot. It starts today or later (the past keeps the hours it had) and
    may not overlap a slot of the same channel on the same weekday and time."""
    today = today or timezone.localdate()
    slot = OpeningHours(**fields)
    slot.full_clean()
    if slot.valid_from < today:
        raise ValidationError(_("Opening hours cannot change in the past."))
    # Lock the channel's slots: two coordinators adding clashing slots at once.
    existing = OpeningHours.objects.select_for_update().filter(channel=slot.channel)
    clash = next((other for other in existing if _clashes(slot, other)), None)
    if clash:
        raise ValidationError(
            _("This slot overlaps %(slot)s, valid from %(start)s.")
            % {"slot": clash, "start": clash.valid_from}
        )
    slot.save()
    return slot


@transaction.atomic
def opening_hours_end(*, slot: OpeningHours, last_day: date, today: date | None = None) -> None:
    """End a slot after `last_day` (included). A slot that has not started yet and ends
    before its start is removed; days before today are never changed."""
    today = today or timezone.localdate()
    if last_day < today - timedelta(days=1):
        raise ValidationError(_("Opening hours cannot change in the past."))
    if slot.valid_to is not None and slot.valid_to <= last_day:
        raise ValidationError(_("This slot already ends on %(day)s.") % {"day": slot.valid_to})
    if last_day < slot.valid_from:
        slot.delete()
        return
    slot.valid_to = last_day
    slot.save(update_fields=["valid_to"])
