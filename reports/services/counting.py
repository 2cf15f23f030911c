"""One pass over the raw rows of an instant range: what the nightly aggregates store and what
the figures count live for the days not aggregated yet (today).

Why stream the rows instead of one SQL GROUP BY per dimension: "outside opening hours"
needs the opening hours in force at each start, to the minute (slots may start at :30,
closures at any instant), which only `OpeningSchedule` answers; and one pass over a day's
rows (three queries: contacts, victims, forms of violence) fills every dimension, where a
GROUP BY per dimension reads the day's range a dozen times. A busy day (a million contacts
a year is ~3,000 a day) is counted in tens of milliseconds.

Buckets are local (Europe/Brussels) dates and hours, computed from the aware instants in
Python, so a 23- or 25-hour day needs no special case.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings

from contacts.models import CallAttempt, Contact, Victim
from reports.models import Dimension
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import BRUSSELS

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
)

# (day, site_id, channel, dimension, value) -> [contacts, victims]
ContactKey = tuple[date, int, str, str, str]
# (day, channel, hour, answered, outside_hours, likely_misdial) -> [attempts, wait, talk]
AttemptKey = tuple[date, str, int, bool, bool, bool]


@dataclass
class Counts:
    contacts: dict[ContactKey, list[int]]
    attempts: dict[AttemptKey, list[int]]


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
    counts: dict[ContactKey, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        Contact.objects.filter(**in_range)
        .order_by()
        .values_list("id", "site_id", "channel", "started_at", *columns)
    )
    for contact_id, site, channel, started_at, *codes in rows.iterator(chunk_size=5000):
        moment = started_at.astimezone(BRUSSELS)
        prefix = (moment.date(), site, channel)
        ages = victims.get(contact_id, ())
        n_victims = len(ages)

        def add(dimension, value, contacts=1, victims=n_victims, prefix=prefix):
            cell = counts[(*prefix, dimension, value)]
            cell[0] += contacts
            cell[1] += victims

        add(Dimension.TOTAL.value, "")
        for (dimension, _column), code in zip(SCALAR_DIMENSIONS, codes, strict=True):
            add(dimension.value, code or "")
        add(Dimension.AGE_GENDER.value, age_gender_value(codes[2], codes[1]))
        outside = schedule.is_outside_opening_hours(channel, started_at)
        add(Dimension.OUTSIDE_HOURS.value, "1" if outside else "0")
        add(Dimension.HOUR.value, str(moment.hour))
        for form in forms.get(contact_id) or ("",):
            add(Dimension.FORMS_OF_VIOLENCE.value, form)
        for age_group, n in Counter(age or "" for age in ages).items():
            add(Dimension.VICTIM_AGE_GROUP.value, age_group, 1, n)
    return dict(counts)


def attempts_count(
    start: datetime, end: datetime, schedule: OpeningSchedule
) -> dict[AttemptKey, list[int]]:
    """Call and chat attempts starting in [start, end), per local day and hour, channel,
    answered, outside the opening hours, likely misdial (DESIGN.md's rules)."""
    misdial_seconds = settings.MISDIAL_SECONDS
    counts: dict[AttemptKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = (
        CallAttempt.objects.filter(started_at__gte=start, started_at__lt=end)
        .order_by()
        .values_list("channel", "started_at", "answered", "wait_seconds", "talk_seconds")
    )
    for channel, started_at, answered, wait, talk in rows.iterator(chunk_size=5000):
        moment = started_at.astimezone(BRUSSELS)
        outside = schedule.is_outside_opening_hours(channel, started_at)
        misdial = outside and not answered and wait < misdial_seconds
        cell = counts[(moment.date(), channel, moment.hour, answered, outside, misdial)]
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
