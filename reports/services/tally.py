"""The counts of an instant range, tallied column-wise with numpy (PostgreSQL).

Same keys and cells as counting.everything_count (tested equal), a different engine: the
range's rows come from PostgreSQL as fixed-width integers (each code as a hash, mapped back
to its position in its taxonomy, 0 = not recorded), packed by PostgreSQL into one binary
value and read straight into numpy arrays, without a Python object per row; each dimension
is then one `bincount` over a combined key (local day, site, channel, value).

Why not group in PostgreSQL: tried first (GROUPING SETS over the range's contacts, one
pass per dimension family, the open intervals as a multirange per channel, the rows
inserted by INSERT ... SELECT): the same rows, but 3.5 s for a month of 93k contacts on
this 2-core machine, as slow as the Python pass (its hash and sort aggregates cost about a
microsecond per contact and dimension). Here a month is ~1 s, most of it PostgreSQL reading
the rows; a dimension costs a few milliseconds.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import psycopg
from django.conf import settings
from django.db import connection

from contacts.models import CallAttempt, Contact, Victim
from meldpunt.channels import Channel
from staffing.services.opening_hours import OpeningSchedule

from .counting import (
    _AGE_GENDER,
    _FORMS,
    _HOUR,
    _HOUR_US,
    _OUTSIDE_HOURS,
    _TOTAL,
    _VICTIM_AGE_GROUP,
    SCALAR_DIMENSIONS,
    Counts,
    _Clock,
)

_CHANNELS = list(Channel.values)


def _taxonomies(columns: dict[str, tuple]) -> dict[str, _CodeMap]:
    """For each name: (model, foreign key column) -> the codes of the taxonomy it points to
    ('' first: not recorded) and their hashes, in one query."""
    quote = connection.ops.quote_name
    parts, names = [], list(columns)
    for index, name in enumerate(names):
        model, column = columns[name]
        related = model._meta.get_field(column.removesuffix("_id")).related_model
        pk = quote(related._meta.pk.column)
        table = quote(related._meta.db_table)
        # Table and column names come from the models.
        parts.append(f"SELECT {index}, {pk}::text, hashtext({pk}) FROM {table}")  # noqa: S608  # nosec B608
    codes: dict[str, list] = {name: [("", _NULL_HASH)] for name in names}
    with connection.cursor() as cursor:
        # Table names come from the models.
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2")  # nosec B608
        for index, code, hashed in cursor.fetchall():
            codes[names[index]].append((code, hashed))
    return {name: _CodeMap(pairs) for name, pairs in codes.items()}


# What each fetched column is, as a bytea of 8 bytes (int8send and timestamptz_send give
# the binary wire format: big-endian int64; a timestamptz as microseconds since 2000-01-01).
def _int8(expression: str) -> str:
    return f"int8send(({expression})::int8)"


def _instant(expression: str) -> str:
    return f"timestamptz_send({expression})"


_NULL_HASH = 1 << 32  # outside hashtext's int4 range


def _code(expression: str) -> str:
    """A code as its hashtext (cheap, in C), mapped back to its position by _CodeMap: a
    look-up of each row's code in an array of codes cost 5 µs a row."""
    return f"int8send(COALESCE(hashtext({expression})::int8, {_NULL_HASH}))"


_EPOCH_2000_US = 946_684_800_000_000  # 2000-01-01 in microseconds since 1970-01-01


class _CodeMap:
    """Position in `codes` (0 = '' = not recorded) of each fetched hash."""

    def __init__(self, pairs: list[tuple[str, int]]):
        self.codes = [code for code, _hash in pairs]
        hashes = [hashed for _code, hashed in pairs]
        if len(set(hashes)) != len(hashes):  # pragma: no cover - 32-bit hashes of a few codes
            raise ValueError(f"Two codes share a hash: {self.codes}")
        self.order = np.argsort(hashes)
        self.sorted = np.array(hashes, dtype=np.int64)[self.order]

    def positions(self, hashes: np.ndarray) -> np.ndarray:
        at = np.searchsorted(self.sorted, hashes)
        if len(hashes) and (
            at.max(initial=0) >= len(self.sorted) or (self.sorted[at] != hashes).any()
        ):
            raise ValueError("A code not in its taxonomy")  # a foreign key forbids it
        return self.order[at]


def _channel_positions(hashes: np.ndarray) -> np.ndarray:
    """Index in _CHANNELS of each fetched channel hash (a channel is never blank)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, hashtext(code) FROM unnest(%s::text[]) AS code", [_CHANNELS])
        pairs = [("", _NULL_HASH), *cursor.fetchall()]
    by_code = _CodeMap(pairs)
    return np.array([_CHANNELS.index(code) for code in by_code.codes[1:]])[
        by_code.positions(hashes) - 1
    ]


def _fetch_int8(columns: list[str], from_where: str, params) -> np.ndarray:
    """The 8-byte `columns` (see _int8, _instant, _code) of the rows `from_where` as an
    (rows, columns) int64 array.

    PostgreSQL packs them into one bytea of fixed-width records, sent in binary: one value
    to fetch instead of a Python tuple per row (COPY TO STDOUT hands over one block per
    row, ~5 µs each in psycopg: most of a month's time)."""
    record = " || ".join(columns)
    # Expressions and table names come from this module and the models; values are
    # parameters.
    sql = f"SELECT string_agg({record}, ''::bytea) {from_where}"  # nosec B608
    connection.ensure_connection()
    # Django's cursors bind parameters client-side, which allows no binary results.
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params, binary=True)
        (data,) = cursor.fetchone()
    if data is None:
        return np.zeros((0, len(columns)), dtype=np.int64)
    return np.frombuffer(data, dtype=">i8").astype(np.int64).reshape(-1, len(columns))


class _Prefixes:
    """(local day, site, channel) of each row as one small integer, and back."""

    def __init__(self, clock: _Clock, us: np.ndarray, sites: np.ndarray, channels: np.ndarray):
        hours = (us - clock.base) // _HOUR_US
        day_of_hour = np.array([clock.days.index(day) for day, _h in clock.local_hours])
        self.hour = np.array([hour for _day, hour in clock.local_hours])[hours]
        self.days = clock.days
        day = day_of_hour[hours]
        self.site_ids, site = np.unique(sites, return_inverse=True)
        self.ids = (day * len(self.site_ids) + site) * len(_CHANNELS) + channels

    def decode(self, prefix: int) -> tuple:
        rest, channel = divmod(int(prefix), len(_CHANNELS))
        day, site = divmod(rest, len(self.site_ids))
        return self.days[day], int(self.site_ids[site]), _CHANNELS[channel]

    def decode_many(self, prefixes: np.ndarray) -> tuple[list, list, list]:
        rest, channel = np.divmod(prefixes, len(_CHANNELS))
        day, site = np.divmod(rest, len(self.site_ids))
        return (
            [self.days[i] for i in day.tolist()],
            self.site_ids[site].tolist(),
            [_CHANNELS[i] for i in channel.tolist()],
        )


def _outside(clock: _Clock, us: np.ndarray, channels: np.ndarray) -> np.ndarray:
    """1 where a start lies outside its channel's opening hours (counting._Clock's rule)."""
    outside = np.zeros(len(us), dtype=np.int64)
    for index, channel in enumerate(_CHANNELS):
        bounds = clock.open_bounds(channel)
        if bounds is None:
            continue  # e-mail: never outside
        mask = channels == index
        opened = np.searchsorted(np.array(bounds, dtype=np.int64), us[mask], side="right") & 1
        outside[mask] = 1 - opened
    return outside


def _add(counts, prefixes: _Prefixes, dimension: str, keys, values: list[str], victims):
    """Tally rows with keys prefix * len(values) + value, weighing victims by `victims`."""
    n = np.bincount(keys)
    v = np.bincount(keys, weights=victims, minlength=len(n))
    present = np.flatnonzero(n)
    prefix, value = np.divmod(present, len(values))
    days, sites, channels = prefixes.decode_many(prefix)
    for day, site, channel, at, contacts, victim_count in zip(
        days,
        sites,
        channels,
        value.tolist(),
        n[present].tolist(),
        v[present].astype(np.int64).tolist(),
        strict=True,
    ):
        counts[(day, site, channel, dimension, values[at])] = [contacts, victim_count]


def contacts_tally(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> dict:
    quote = connection.ops.quote_name
    contact, victim = quote(Contact._meta.db_table), quote(Victim._meta.db_table)
    through = Contact.forms_of_violence.through
    forms = quote(through._meta.db_table)
    maps = _taxonomies(
        {
            **{column: (Contact, column) for _dimension, column in SCALAR_DIMENSIONS},
            "victim_age": (Victim, "age_group_id"),
            "form": (through, "violenceform_id"),
        }
    )
    codes = {column: maps[column].codes for _dimension, column in SCALAR_DIMENSIONS}
    victim_ages, form_codes = maps["victim_age"].codes, maps["form"].codes
    params = {"start": start, "end": end, "site_id": site_id}
    site = "AND c.site_id = %(site_id)s" if site_id is not None else ""
    rows = _fetch_int8(
        [
            _int8("c.id"),
            _int8("c.site_id"),
            _code("c.channel"),
            _instant("c.started_at"),
            *(_code(f"c.{column}") for column in codes),
        ],
        f"FROM {contact} c WHERE c.started_at >= %(start)s AND c.started_at < %(end)s {site}",
        params,
    )
    rows = rows[np.argsort(rows[:, 0], kind="stable")]
    rows[:, 2] = _channel_positions(rows[:, 2])
    rows[:, 3] += _EPOCH_2000_US
    for position, column in enumerate(codes, start=4):
        rows[:, position] = maps[column].positions(rows[:, position])
    counts: dict = {}
    if not len(rows):
        return counts
    ids = rows[:, 0]
    params["low"], params["high"] = int(ids[0]), int(ids[-1])
    # Victims and forms of the range's contacts: their contact_id index read between the
    # range's lowest and highest contact id (ids follow registration); rows of contacts
    # outside the range (or site) are dropped by the look-up below.
    victim_rows = _fetch_int8(
        [_int8("v.contact_id"), _code("v.age_group_id")],
        f"FROM {victim} v WHERE v.contact_id BETWEEN %(low)s AND %(high)s",
        params,
    )
    form_rows = _fetch_int8(
        [_int8("f.contact_id"), _code("f.violenceform_id")],
        f"FROM {forms} f WHERE f.contact_id BETWEEN %(low)s AND %(high)s",
        params,
    )

    def rows_of(contact_ids: np.ndarray) -> np.ndarray:
        """Row of each contact id in `ids` (sorted), -1 when not in the range."""
        at = np.searchsorted(ids, contact_ids)
        at[at >= len(ids)] = 0
        return np.where(ids[at] == contact_ids, at, -1)

    victim_rows[:, 1] = maps["victim_age"].positions(victim_rows[:, 1])
    form_rows[:, 1] = maps["form"].positions(form_rows[:, 1])
    victim_row = rows_of(victim_rows[:, 0])
    keep = victim_row >= 0
    victim_row, victim_age = victim_row[keep], victim_rows[keep, 1]
    form_row = rows_of(form_rows[:, 0])
    keep = form_row >= 0
    form_row, form = form_row[keep], form_rows[keep, 1]

    clock = _Clock(start, end, schedule)
    channels, us = rows[:, 2], rows[:, 3]
    prefixes = _Prefixes(clock, us, rows[:, 1], channels)
    prefix = prefixes.ids
    n_victims = np.bincount(victim_row, minlength=len(ids)).astype(np.float64)

    def tally(dimension: str, value_index: np.ndarray, values: list[str]) -> None:
        _add(counts, prefixes, dimension, prefix * len(values) + value_index, values, n_victims)

    tally(_TOTAL, np.zeros(len(ids), dtype=np.int64), [""])
    for position, (dimension, column) in enumerate(SCALAR_DIMENSIONS, start=4):
        tally(dimension.value, rows[:, position], codes[column])
    ages, genders = codes["caller_age_group_id"], codes["caller_gender_id"]
    age_at = 4 + [c for _d, c in SCALAR_DIMENSIONS].index("caller_age_group_id")
    gender_at = 4 + [c for _d, c in SCALAR_DIMENSIONS].index("caller_gender_id")
    tally(
        _AGE_GENDER,
        rows[:, age_at] * len(genders) + rows[:, gender_at],
        [f"{age}|{gender}" for age in ages for gender in genders],
    )
    tally(_OUTSIDE_HOURS, _outside(clock, us, channels), ["0", "1"])
    tally(_HOUR, prefixes.hour, [str(hour) for hour in range(24)])

    # Forms of violence: one row per form, "" for a contact without any.
    without = np.flatnonzero(np.bincount(form_row, minlength=len(ids)) == 0)
    form_row = np.concatenate([form_row, without])
    form = np.concatenate([form, np.zeros(len(without), dtype=np.int64)])
    _add(
        counts,
        prefixes,
        _FORMS,
        prefix[form_row] * len(form_codes) + form,
        form_codes,
        n_victims[form_row],
    )
    # Victims per age group: a contact counts once per age group, with its victims of it.
    pairs, victims = np.unique(victim_row * len(victim_ages) + victim_age, return_counts=True)
    pair_row, pair_age = np.divmod(pairs, len(victim_ages))
    _add(
        counts,
        prefixes,
        _VICTIM_AGE_GROUP,
        prefix[pair_row] * len(victim_ages) + pair_age,
        victim_ages,
        victims.astype(np.float64),
    )
    return counts


def attempts_tally(start: datetime, end: datetime, schedule: OpeningSchedule) -> dict:
    table = connection.ops.quote_name(CallAttempt._meta.db_table)
    rows = _fetch_int8(
        [
            _code("a.channel"),
            _instant("a.started_at"),
            _int8("a.answered::int"),
            _int8("a.wait_seconds"),
            _int8("a.talk_seconds"),
        ],
        f"FROM {table} a WHERE a.started_at >= %(start)s AND a.started_at < %(end)s",
        {"start": start, "end": end},
    )
    if not len(rows):
        return {}
    clock = _Clock(start, end, schedule)
    channels, us, answered, wait, talk = (rows[:, i] for i in range(5))
    channels = _channel_positions(channels)
    us = us + _EPOCH_2000_US
    prefixes = _Prefixes(clock, us, np.zeros(len(us), dtype=np.int64), channels)
    outside = _outside(clock, us, channels)
    misdial = outside * (1 - answered) * (wait < settings.MISDIAL_SECONDS)
    flags = answered * 4 + outside * 2 + misdial
    keys = (prefixes.ids * 24 + prefixes.hour) * 8 + flags
    n = np.bincount(keys)
    waited = np.bincount(keys, weights=wait.astype(np.float64), minlength=len(n))
    talked = np.bincount(keys, weights=talk.astype(np.float64), minlength=len(n))
    counts = {}
    for key in np.flatnonzero(n):
        rest, flag = divmod(int(key), 8)
        prefix, hour = divmod(rest, 24)
        day, _site, channel = prefixes.decode(prefix)
        counts[(day, channel, hour, bool(flag & 4), bool(flag & 2), bool(flag & 1))] = [
            int(n[key]),
            int(waited[key]),
            int(talked[key]),
        ]
    return counts


def everything_tally(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> Counts:
    """counting.everything_count, tallied with numpy (PostgreSQL)."""
    return Counts(
        contacts=contacts_tally(start, end, schedule, site_id=site_id),
        attempts=attempts_tally(start, end, schedule),
    )
