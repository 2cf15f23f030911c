"""One pass over the raw rows of an instant range: what the nightly aggregates store and what
the figures count live for the days not aggregated yet (today).

Why stream the rows instead of one SQL GROUP BY per dimension: "outside opening hours"
needs the opening hours in force at each start, to the minute (slots may start at :30,
closures at any instant), which only `OpeningSchedule` answers; and one pass over a day's
rows (three queries: contacts, victims, forms of violence) fills every dimension, where a
GROUP BY per dimension reads the day's range a dozen times. A busy day (a million contacts
a year is ~2,700 a day) is counted in a fraction of a second; a month's rows are held in
memory at once, so callers count at most a month per call.

Buckets are local (Europe/Brussels) dates and hours, computed from the aware instants in
Python, so a 23- or 25-hour day needs no special case. Per row only integer arithmetic:
each start becomes microseconds since the epoch; its local day and hour come from a table
per UTC hour of the range (Brussels is a whole number of hours from UTC, so a UTC hour lies
in one local hour), and "outside opening hours" from a bisect in the channel's open
intervals of the range (built once from `OpeningSchedule`, each day's intervals clipped to
that local day, exactly as `is_outside_opening_hours` judges an instant by the intervals
of its local day). A zone conversion and a schedule lookup per row were most of a
rebuild's time.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import BigIntegerField, F, Func

from contacts.models import CallAttempt, Contact, Victim
from meldpunt.channels import Channel
from reports.models import Dimension
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import BRUSSELS, dates_between, day_start, local_date

# Contact fields counted one value per contact, as (dimension, foreign key column).
SCALAR_DIMENSIONS = (
    (Dimension.THEME, "theme_id"),
    (Dimension.CALLER_GENDER, "caller_gender_id"),
    (Dimension.CALLER_AGE_GROUP, "caller_age_group_id"),
    (Dimension.CALLER_ROLE, "caller_role_id"),
    (Dimension.REGION, "region_id"),
    (Dimension.AWARENESS_SOURCE, "awareness_source_id"),
    (Dimension.CONTEXT, "context_id"),
    (Dimension.REFERRAL, "referral_id"),
    (Dimension.CONTACT_TYPE, "contact_type_id"),
)

_SCALAR_POSITION = {column: i for i, (_dimension, column) in enumerate(SCALAR_DIMENSIONS)}
# Plain strings: an enum member's .value costs a lookup per use.
_TOTAL = Dimension.TOTAL.value
_AGE_GENDER = Dimension.AGE_GENDER.value
_OUTSIDE_HOURS = Dimension.OUTSIDE_HOURS.value
_HOUR = Dimension.HOUR.value
_FORMS = Dimension.FORMS_OF_VIOLENCE.value
_VICTIM_AGE_GROUP = Dimension.VICTIM_AGE_GROUP.value
_HOURS = [str(hour) for hour in range(24)]

# (day, site_id, channel, dimension, value) -> [contacts, victims]
ContactKey = tuple[date, int, str, str, str]
# (day, channel, hour, answered, outside_hours, likely_misdial) -> [attempts, wait, talk]
AttemptKey = tuple[date, str, int, bool, bool, bool]


@dataclass
class Counts:
    contacts: dict[ContactKey, list[int]]
    attempts: dict[AttemptKey, list[int]]


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_HOUR_US = 3_600_000_000


def _us(instant: datetime) -> int:
    """Microseconds since the epoch, exactly (no float)."""
    return (instant - _EPOCH) // _MICROSECOND


class _EpochMicroseconds(Func):
    """PostgreSQL: a timestamptz as microseconds since the epoch (EXTRACT gives an exact
    numeric), so no datetime is parsed per row."""

    template = "(EXTRACT(EPOCH FROM %(expressions)s) * 1000000)::bigint"
    output_field = BigIntegerField()


def _start_column(queryset):
    """The queryset with `start_us`, and a function turning its values into microseconds
    since the epoch (None: they already are)."""
    if connection.vendor == "postgresql":
        return queryset.annotate(start_us=_EpochMicroseconds(F("started_at"))), None
    return queryset.annotate(start_us=F("started_at")), _us


class _Clock:
    """Local day and hour, and outside the opening hours, of instants in [start, end),
    given as microseconds since the epoch (see the module docstring)."""

    def __init__(self, start: datetime, end: datetime, schedule: OpeningSchedule):
        self.base = _us(start) // _HOUR_US * _HOUR_US
        self.local_hours: list[tuple[date, int]] = []
        for offset in range((_us(end) - self.base) // _HOUR_US + 1):
            moment = (_EPOCH + (self.base + offset * _HOUR_US) * _MICROSECOND).astimezone(BRUSSELS)
            self.local_hours.append((moment.date(), moment.hour))
        self.days = list(dates_between(local_date(start), local_date(end)))
        self.schedule = schedule
        self._open: dict[str, list[int] | None] = {}

    def open_bounds(self, channel: str) -> list[int] | None:
        """The channel's open intervals as a flat sorted list [start, end, start, end, ...]
        (an instant is open iff an odd number of bounds is at or before it); None for
        e-mail, which is never outside the opening hours."""
        if channel in self._open:
            return self._open[channel]
        if channel == Channel.EMAIL:
            self._open[channel] = None
            return None
        pieces = []
        for day in self.days:
            low, high = _us(day_start(day)), _us(day_start(day + timedelta(days=1)))
            for interval in self.schedule.slot_intervals(channel, day):
                start, end = max(_us(interval.start), low), min(_us(interval.end), high)
                if end > start:
                    pieces.append((start, end))
        merged: list[list[int]] = []
        for start, end in sorted(pieces):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        bounds = [bound for interval in merged for bound in interval]
        self._open[channel] = bounds
        return bounds


def age_gender_value(age_group: str | None, gender: str | None) -> str:
    return f"{age_group or ''}|{gender or ''}"


def contacts_count(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> dict[ContactKey, list[int]]:
    """Contacts starting in [start, end), per local day, site, channel, dimension and value."""
    in_range = {"started_at__gte": start, "started_at__lt": end}
    via_contact = {"contact__started_at__gte": start, "contact__started_at__lt": end}
    if site_id is not None:
        in_range["site_id"] = site_id
        via_contact["contact__site_id"] = site_id

    victims: dict[int, list[str | None]] = defaultdict(list)
    for contact_id, age_group in (
        Victim.objects.filter(**via_contact).order_by().values_list("contact_id", "age_group_id")
    ):
        victims[contact_id].append(age_group)
    forms: dict[int, list[str]] = defaultdict(list)
    through = Contact.forms_of_violence.through
    for contact_id, form in (
        through.objects.filter(**via_contact)
        .order_by()
        .values_list("contact_id", "violenceform_id")
    ):
        forms[contact_id].append(form)

    columns = [column for _dimension, column in SCALAR_DIMENSIONS]
    queryset, to_us = _start_column(Contact.objects.filter(**in_range).order_by())
    rows = list(queryset.values_list("id", "site_id", "channel", "start_us", *columns))
    # Column-wise: per contact its (day, site, channel) and one value per dimension; each
    # dimension is then counted with Counter over (prefix, value) pairs, in C. A loop per
    # contact and dimension in Python was most of a rebuild's time.
    clock = _Clock(start, end, schedule)
    prefixes, hours, outside = [], [], []
    local_hours, base = clock.local_hours, clock.base
    bounds_of = {}
    for _id, site, channel, started_at, *_codes in rows:
        moment = started_at if to_us is None else to_us(started_at)
        day, hour = local_hours[(moment - base) // _HOUR_US]
        prefixes.append((day, site, channel))
        hours.append(_HOURS[hour])
        if channel not in bounds_of:
            bounds_of[channel] = clock.open_bounds(channel)
        bounds = bounds_of[channel]
        outside.append("0" if bounds is None or bisect_right(bounds, moment) & 1 else "1")
    n_victims = [len(victims.get(row[0], ())) for row in rows]

    counts: dict[ContactKey, list[int]] = {}

    # Each distinct (day, site, channel) as a small integer: pairs of an int and a string
    # hash faster than pairs holding a tuple, and every dimension hashes one pair per row.
    prefix_ids: dict[tuple[date, int, str], int] = {}
    ids = [prefix_ids.setdefault(prefix, len(prefix_ids)) for prefix in prefixes]
    prefix_of = list(prefix_ids)

    def tally(dimension: str, values) -> None:
        pairs = list(zip(ids, values, strict=True))
        victim_sums: dict = defaultdict(int)
        for pair, n in zip(pairs, n_victims, strict=True):
            if n:
                victim_sums[pair] += n
        for (prefix_id, value), n in Counter(pairs).items():
            counts[(*prefix_of[prefix_id], dimension, value)] = [
                n,
                victim_sums.get((prefix_id, value), 0),
            ]

    tally(_TOTAL, [""] * len(rows))
    for position, (dimension, _column) in enumerate(SCALAR_DIMENSIONS, start=4):
        tally(dimension.value, [row[position] or "" for row in rows])
    gender_at, age_at = (
        4 + _SCALAR_POSITION["caller_gender_id"],
        4 + _SCALAR_POSITION["caller_age_group_id"],
    )
    tally(_AGE_GENDER, [age_gender_value(row[age_at], row[gender_at]) for row in rows])
    tally(_OUTSIDE_HOURS, outside)
    tally(_HOUR, hours)

    # Several values per contact: forms of violence ("" for none), victims per age group.
    multi: dict[tuple[int, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for row, prefix_id, n in zip(rows, ids, n_victims, strict=True):
        for form in forms.get(row[0]) or ("",):
            cell = multi[(prefix_id, _FORMS, form)]
            cell[0] += 1
            cell[1] += n
        if n == 1:  # most contacts: no Counter needed
            cell = multi[(prefix_id, _VICTIM_AGE_GROUP, victims[row[0]][0] or "")]
            cell[0] += 1
            cell[1] += 1
        elif n:
            for age_group, k in Counter(age or "" for age in victims[row[0]]).items():
                cell = multi[(prefix_id, _VICTIM_AGE_GROUP, age_group)]
                cell[0] += 1
                cell[1] += k
    for (prefix_id, dimension, value), cell in multi.items():
        counts[(*prefix_of[prefix_id], dimension, value)] = cell
    return counts


def attempts_count(
    start: datetime, end: datetime, schedule: OpeningSchedule
) -> dict[AttemptKey, list[int]]:
    """Call and chat attempts starting in [start, end), per local day and hour, channel,
    answered, outside the opening hours, likely misdial (DESIGN.md's rules)."""
    misdial_seconds = settings.MISDIAL_SECONDS
    counts: dict[AttemptKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    queryset, to_us = _start_column(
        CallAttempt.objects.filter(started_at__gte=start, started_at__lt=end).order_by()
    )
    rows = queryset.values_list("channel", "start_us", "answered", "wait_seconds", "talk_seconds")
    clock = _Clock(start, end, schedule)
    local_hours, base = clock.local_hours, clock.base
    bounds_of = {}
    for channel, started_at, answered, wait, talk in rows.iterator(chunk_size=5000):
        moment = started_at if to_us is None else to_us(started_at)
        day, hour = local_hours[(moment - base) // _HOUR_US]
        if channel not in bounds_of:
            bounds_of[channel] = clock.open_bounds(channel)
        bounds = bounds_of[channel]
        outside = bounds is not None and not bisect_right(bounds, moment) & 1
        misdial = outside and not answered and wait < misdial_seconds
        cell = counts[(day, channel, hour, answered, outside, misdial)]
        cell[0] += 1
        cell[1] += wait
        cell[2] += talk
    return dict(counts)


def everything_count(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> Counts:
    return Counts(
        contacts=contacts_count(start, end, schedule, site_id=site_id),
        attempts=attempts_count(start, end, schedule),
    )


def range_count(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> Counts:
    """The counts of [start, end): tallied with numpy from a binary COPY on PostgreSQL
    (reports/services/tally.py), by the Python pass above elsewhere (SQLite, the demo).
    Both give the same keys and cells (tested)."""
    if connection.vendor == "postgresql":
        from .tally import everything_tally  # it builds on this module

        return everything_tally(start, end, schedule, site_id=site_id)
    return everything_count(start, end, schedule, site_id=site_id)
