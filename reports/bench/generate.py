"""A generated year of contacts, victims, forms of violence and call/chat attempts.

Pure row generation (`year_generate`) is separate from loading (`rows_load`): the rows are
plain tuples in the column order of the tables, loaded with COPY on PostgreSQL (a million
contacts in well under a minute) and with bulk_create elsewhere (the small sets of the tests).

Distributions are the demo's (contacts/demo.py): phone ~70 %, chat 20 %, e-mail 10 %; child
abuse the largest theme; some fields not recorded; most phone and chat contacts inside the
opening hours (phone 9-17, chat 17-22 on working days that are no public holiday), a few
percent outside, weekends and holidays quiet; e-mail at any hour.
"""

from __future__ import annotations

import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import accumulate

import holidays

from contacts import demo
from meldpunt.channels import Channel
from staffing.services.time import BRUSSELS, dates_between

# Sites besides the default one (created by migration): (code, name, share of contacts).
EXTRA_SITES = [
    ("antwerpen", "CAW Antwerpen", 0.20),
    ("gent", "CAW Oost-Vlaanderen", 0.20),
    ("leuven", "CAW Oost-Brabant", 0.15),
    ("brugge", "CAW Noord-West-Vlaanderen", 0.15),
]
DEFAULT_SITE_SHARE = 0.30
VICTIMS_PER_CONTACT = 1.3  # what demo.VICTIM_COUNT gives, roughly
ATTEMPTS_PER_CONTACT = 1.5
ATTEMPT_CHANNEL_SHARE = {Channel.PHONE: 0.78, Channel.CHAT: 0.22}
# Attempts outside the hours: more than contacts (nobody answers them).
ATTEMPT_OUTSIDE_SHARE = 0.12
ATTEMPT_CLOSED_DAY_FACTOR = 0.15
# Slot (local hours) in which each channel is open on a working day (the seeded hours of
# 2025; the benchmark's figures use the real schedule, this only shapes the data).
OPEN_HOURS = {Channel.PHONE: (9, 17), Channel.CHAT: (17, 22)}

CONTACT_COLUMNS = (
    "id",
    "reference",
    "external_id",
    "channel",
    "started_at",
    "ended_at",
    "site_id",
    "theme_id",
    "context_id",
    "caller_gender_id",
    "caller_age_group_id",
    "caller_role_id",
    "region_id",
    "awareness_source_id",
    "referral_id",
    "follow_up_needed",
    "notes",
    "created_at",
    "updated_at",
)
VICTIM_COLUMNS = ("id", "contact_id", "age_group_id", "gender_id", "relation_id")
FORM_COLUMNS = ("id", "contact_id", "violenceform_id")
ATTEMPT_COLUMNS = (
    "id",
    "external_id",
    "channel",
    "started_at",
    "wait_seconds",
    "talk_seconds",
    "answered",
    "caller_hash",
    "created_at",
    "updated_at",
)


@dataclass
class GeneratedYear:
    contacts: list[tuple] = field(default_factory=list)
    victims: list[tuple] = field(default_factory=list)
    forms: list[tuple] = field(default_factory=list)
    attempts: list[tuple] = field(default_factory=list)


def _by_theme(table: dict, theme):
    return table.get(theme) or table[None]


def _spread(total: int, weights: list[float]) -> list[int]:
    """`total` split over the weights, as integers that add up exactly (largest remainder)."""
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


class _Clock:
    """Instants of local days, fast: one fixed UTC offset per day (Belgian clocks change at
    02:00/03:00, when only a few e-mails arrive; they get the day's noon offset)."""

    def __init__(self, days: list[date]):
        self.zone = {}
        for day in days:
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=BRUSSELS)
            self.zone[day] = timezone(noon.utcoffset())

    def at(self, day: date, second_of_day: int) -> datetime:
        hour, rest = divmod(second_of_day, 3600)
        return datetime(
            day.year, day.month, day.day, hour, rest // 60, rest % 60, tzinfo=self.zone[day]
        ).astimezone(UTC)


def _day_weights(days: list[date], closed_factor: dict, be_holidays) -> dict[str, list[float]]:
    weights = {}
    for channel, factor in closed_factor.items():
        weights[channel] = [
            demo.MONTH_FACTOR[day.month]
            * demo.WEEKDAY_FACTOR[day.weekday()]
            * (factor if day.weekday() >= 5 or day in be_holidays else 1.0)
            for day in days
        ]
    return weights


def year_generate(year: int, contacts: int, site_ids: list[int], *, seed: int = 1712):
    """The rows of `contacts` contacts in local `year`, their victims and forms, and about
    1.5 attempts per contact (phone and chat), one `GeneratedYear` chunk per month (a year
    of a million contacts need not be in memory at once). `site_ids[0]` is the default site.
    """
    rng = random.Random(f"{seed}:{year}:{contacts}")  # noqa: S311  # nosec B311
    days = list(dates_between(date(year, 1, 1), date(year, 12, 31)))
    be_holidays = holidays.country_holidays("BE", years=[year])
    clock = _Clock(days)
    site_cum = list(
        accumulate([DEFAULT_SITE_SHARE, *(share for *_n, share in EXTRA_SITES)][: len(site_ids)])
    )
    # How many contacts of each channel on each day.
    channel_totals = dict(
        zip(demo.CHANNEL_SHARE, _spread(contacts, list(demo.CHANNEL_SHARE.values())), strict=True)
    )
    weights = _day_weights(days, demo.CLOSED_DAY_FACTOR, be_holidays)
    per_day = {ch: _spread(channel_totals[ch], weights[ch]) for ch in demo.CHANNEL_SHARE}

    # Attempts: phone and chat, more of them outside the opening hours.
    attempt_total = round(contacts * ATTEMPTS_PER_CONTACT)
    attempt_channels = dict(
        zip(
            ATTEMPT_CHANNEL_SHARE,
            _spread(attempt_total, list(ATTEMPT_CHANNEL_SHARE.values())),
            strict=True,
        )
    )
    closed = dict.fromkeys(ATTEMPT_CHANNEL_SHARE, ATTEMPT_CLOSED_DAY_FACTOR)
    attempt_weights = _day_weights(days, closed, be_holidays)
    attempts_per_day = {
        ch: _spread(total, attempt_weights[ch]) for ch, total in attempt_channels.items()
    }

    contact_id = victim_id = form_id = attempt_id = 0
    pick = random.Random.random
    out = GeneratedYear()
    for index, day in enumerate(days):
        if index and day.day == 1:
            yield out
            out = GeneratedYear()
        is_open_day = day.weekday() < 5 and day not in be_holidays
        for channel in demo.CHANNEL_SHARE:
            for _n in range(per_day[channel][index]):
                contact_id += 1
                started = clock.at(day, _contact_second(rng, channel, is_open_day))
                minutes = demo.DURATION[channel]
                duration = min(
                    max(rng.lognormvariate(math.log(minutes[0]), minutes[1]), minutes[2]),
                    minutes[3],
                )
                age = demo.CALLER_AGE[channel].pick(rng)
                minor = age in demo.MINORS
                theme = (demo.MINOR_THEME if minor else demo.THEME).pick(rng)
                child_theme = theme in demo.CHILD_THEMES
                if minor:
                    role = demo.ROLE_MINOR.pick(rng)
                elif child_theme:
                    role = demo.ROLE_ADULT_CHILD_THEME.pick(rng)
                else:
                    role = demo.ROLE_ADULT.pick(rng)
                site = site_ids[min(bisect(site_cum, pick(rng) * site_cum[-1]), len(site_ids) - 1)]
                out.contacts.append(
                    (
                        contact_id,
                        f"{year}-{contact_id:07d}",
                        None,
                        channel.value,
                        started,
                        started + timedelta(seconds=int(duration * 60)),
                        site,
                        theme,
                        _by_theme(demo.CONTEXT, theme).pick(rng),
                        demo.CALLER_GENDER.pick(rng),
                        age,
                        role,
                        demo.REGION.pick(rng),
                        demo.AWARENESS.pick(rng),
                        demo.REFERRAL[child_theme].pick(rng),
                        pick(rng) < demo.FOLLOW_UP_SHARE,
                        "",
                        started,
                        started,
                    )
                )
                for _v in range(_by_theme(demo.VICTIM_COUNT, theme).pick(rng)):
                    victim_id += 1
                    out.victims.append(
                        (
                            victim_id,
                            contact_id,
                            _by_theme(demo.VICTIM_AGE, theme).pick(rng),
                            _by_theme(demo.VICTIM_GENDER, theme).pick(rng),
                            _by_theme(demo.RELATION_BY_THEME, theme).pick(rng),
                        )
                    )
                forms_table = _by_theme(demo.FORMS, theme)
                wanted = demo.FORM_COUNT.pick(rng)
                chosen: set[str] = set()
                for _try in range(4 * wanted):
                    if len(chosen) == wanted:
                        break
                    chosen.add(forms_table.pick(rng))
                for form in sorted(chosen):
                    form_id += 1
                    out.forms.append((form_id, contact_id, form))

        for channel, spread in attempts_per_day.items():
            first, last = OPEN_HOURS[channel]
            for _n in range(spread[index]):
                attempt_id += 1
                inside = is_open_day and pick(rng) >= ATTEMPT_OUTSIDE_SHARE
                if inside:
                    second = rng.randrange(first * 3600, last * 3600)
                else:
                    second = rng.randrange(0, 24 * 3600)
                answered = pick(rng) < (0.8 if inside else 0.05)
                if answered:
                    wait = int(rng.lognormvariate(math.log(45), 0.8))
                    talk = int(rng.lognormvariate(math.log(600), 0.6))
                else:
                    wait = rng.randrange(1, 10) if pick(rng) < 0.3 else rng.randrange(10, 600)
                    talk = 0
                started = clock.at(day, second)
                out.attempts.append(
                    (
                        attempt_id,
                        f"bench-{attempt_id:08d}",
                        channel.value,
                        started,
                        wait,
                        talk,
                        answered,
                        "",
                        started,
                        started,
                    )
                )
    yield out


def _contact_second(rng: random.Random, channel: str, is_open_day: bool) -> int:
    """Second of the local day a contact starts: mostly inside the channel's hours."""
    if channel == Channel.EMAIL:
        return demo.EMAIL_HOUR.pick(rng) * 3600 + rng.randrange(3600)
    first, last = OPEN_HOURS[channel]
    if is_open_day and rng.random() >= demo.OUTSIDE_HOURS_SHARE[channel]:
        return rng.randrange(first * 3600, last * 3600 - 60)
    low, high = demo.OUTSIDE_HOURS
    return rng.randrange(low * 3600, high * 3600)


# --- loading --------------------------------------------------------------------------------


def sites_ensure() -> list[int]:
    """The default site and the four generated ones; their ids, the default first."""
    from staffing.models import Site

    default = Site.objects.default()
    ids = [default.pk]
    for code, name, _share in EXTRA_SITES:
        ids.append(Site.objects.get_or_create(code=code, defaults={"name": name})[0].pk)
    return ids


def _tables():
    from contacts.models import CallAttempt, Contact, Victim

    through = Contact.forms_of_violence.through
    return (
        ("contacts", Contact, CONTACT_COLUMNS),
        ("victims", Victim, VICTIM_COLUMNS),
        ("forms", through, FORM_COLUMNS),
        ("attempts", CallAttempt, ATTEMPT_COLUMNS),
    )


def rows_load(chunks) -> dict[str, int]:
    """Insert the generated chunks: COPY on PostgreSQL, bulk_create elsewhere (tests).
    Returns the rows inserted per table."""
    from django.db import connection, transaction

    loaded = dict.fromkeys(("contacts", "victims", "forms", "attempts"), 0)
    with transaction.atomic():
        for generated in chunks:
            if connection.vendor == "postgresql":
                _copy_load(connection, generated)
            else:
                for name, model, columns in _tables():
                    model.objects.bulk_create(
                        [
                            model(**dict(zip(_attnames(model, columns), row, strict=True)))
                            for row in getattr(generated, name)
                        ],
                        batch_size=500,
                    )
            for name in loaded:
                loaded[name] += len(getattr(generated, name))
        if connection.vendor == "postgresql":
            _sequences_analyze(connection)
    return loaded


def _attnames(model, columns):
    """Column names as model attribute names (`theme_id` is the attname of `theme`)."""
    names = {field.column: field.attname for field in model._meta.concrete_fields}
    return [names[column] for column in columns]


def _copy_load(connection, generated: GeneratedYear) -> None:
    """COPY the rows in. The foreign key triggers are off meanwhile (the codes come from
    the seeded taxonomy, the ids from the generator): the load checks nothing row by row."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3 cursor under Django's wrapper
        raw.execute("SET LOCAL session_replication_role = replica")
        for name, model, columns in _tables():
            table = model._meta.db_table
            sql = f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
            with raw.copy(sql) as copy:
                for row in getattr(generated, name):
                    copy.write_row(row)
        raw.execute("SET LOCAL session_replication_role = origin")


def _sequences_analyze(connection) -> None:
    """The explicit ids leave the sequences behind; fresh statistics for the planner."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for _name, model, _columns in _tables():
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608  # nosec B608
                f"(SELECT COALESCE(MAX(id), 1) FROM {quote(table)}))"
            )
            cursor.execute(f"ANALYZE {quote(table)}")
