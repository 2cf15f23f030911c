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

The counted cells stay columns (`Cells`, `AttemptCells`): the rebuild writes them with a
binary COPY built by numpy (`copy_columns`), no Python object per row; counting's
dictionaries are made from them only for the live figures and the tests.
"""

from __future__ import annotations

import weakref
from datetime import date, datetime

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
    parts, names = ["SELECT -1, '', hashtext('')"], list(columns)
    for index, name in enumerate(names):
        model, column = columns[name]
        related = model._meta.get_field(column.removesuffix("_id")).related_model
        pk = quote(related._meta.pk.column)
        table = quote(related._meta.db_table)
        # Table and column names come from the models.
        parts.append(f"SELECT {index}, {pk}::text, hashtext({pk}) FROM {table}")  # noqa: S608  # nosec B608
    codes: dict[str, list] = {name: [] for name in names}
    with connection.cursor() as cursor:
        # Table names come from the models.
        cursor.execute(" UNION ALL ".join(parts) + " ORDER BY 1, 2")  # nosec B608
        (_minus_one, blank, blank_hash), *rows = cursor.fetchall()
        for index, code, hashed in rows:
            codes[names[index]].append((code, hashed))
    return {name: _CodeMap([(blank, blank_hash), *pairs]) for name, pairs in codes.items()}


# What each fetched column is: an expression giving its binary wire format (int8send,
# int4send, timestamptz_send: big-endian; a timestamptz as microseconds since 2000-01-01),
# and that format as a numpy type. Four bytes where they do: fewer bytes to build, copy
# and send.
def _int8(expression: str) -> tuple[str, str]:
    return f"int8send(({expression})::int8)", ">i8"


def _int4(expression: str) -> tuple[str, str]:
    return f"int4send(({expression})::int4)", ">i4"


def _instant(expression: str) -> tuple[str, str]:
    return f"timestamptz_send({expression})", ">i8"


def _code(expression: str) -> tuple[str, str]:
    """A code as its hashtext (cheap, in C), not recorded (NULL) as the hash of '', mapped
    back to its position by _CodeMap: a look-up of each row's code in an array of codes
    cost 5 µs a row."""
    return f"int4send(hashtext(COALESCE({expression}, '')))", ">i4"


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


# The channels' hashes per database connection: the channels are constants, their hashes
# those of the server (a query less per count; a day's rebuild is mostly round trips).
_channel_maps: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _channel_positions(hashes: np.ndarray) -> np.ndarray:
    """Index in _CHANNELS of each fetched channel hash (a channel is never blank)."""
    by_code = _channel_maps.get(connection.connection)
    if by_code is None:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT code, hashtext(code) FROM unnest(%s::text[]) "
                "WITH ORDINALITY AS c(code, i) ORDER BY i",
                [_CHANNELS],
            )
            by_code = _CodeMap(cursor.fetchall())
        _channel_maps[connection.connection] = by_code
    return np.array([_CHANNELS.index(code) for code in by_code.codes])[by_code.positions(hashes)]


def _fetch_int8(columns: list[tuple[str, str]], from_where: str, params) -> np.ndarray:
    """The `columns` (see _int8, _int4, _instant, _code) of the rows `from_where` as an
    (rows, columns) int64 array.

    PostgreSQL packs them into one bytea of fixed-width records, sent in binary: one value
    to fetch instead of a Python tuple per row (COPY TO STDOUT hands over one block per
    row, ~5 µs each in psycopg: most of a month's time)."""
    record = " || ".join(expression for expression, _kind in columns)
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
    records = np.frombuffer(
        data, dtype=np.dtype([(f"c{i}", k) for i, (_e, k) in enumerate(columns)])
    )
    rows = np.empty((len(records), len(columns)), dtype=np.int64)
    for index in range(len(columns)):
        rows[:, index] = records[f"c{index}"]
    return rows


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


class Cells:
    """Counted cells as columns, one entry per cell: `prefix` (local day, site, channel as
    _Prefixes.ids), `label` (index in `labels`, each a (dimension, value) pair), the
    number of contacts and of their victims. What the rebuild writes (COPY from the
    arrays) and what contacts_tally turns into counting's dictionary."""

    def __init__(self, prefixes: _Prefixes | None):
        self.prefixes = prefixes
        self.labels: list[tuple[str, str]] = []
        self._parts: list[tuple[np.ndarray, ...]] = []

    def add(self, dimension: str, keys: np.ndarray, values: list[str], victims) -> None:
        """Tally rows with keys prefix * len(values) + value, weighing victims by
        `victims`."""
        n = np.bincount(keys)
        v = np.bincount(keys, weights=victims, minlength=len(n))
        present = np.flatnonzero(n)
        prefix, value = np.divmod(present, len(values))
        self._parts.append(
            (prefix, value + len(self.labels), n[present], v[present].astype(np.int64))
        )
        self.labels.extend((dimension, value) for value in values)

    def columns(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(prefix, label, contacts, victims), concatenated over the dimensions."""
        if not self._parts:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty, empty
        return tuple(np.concatenate(column) for column in zip(*self._parts, strict=True))

    def rows(self) -> dict[str, np.ndarray]:
        """The cells as the columns of DailyCount, the day as days since 2000-01-01, the
        channel as its index in the channels and (dimension, value) as `label`."""
        prefix, label, contacts, victims = self.columns()
        if not len(prefix):
            return dict.fromkeys(
                ("day", "site_id", "channel", "label", "contacts", "victims"), prefix
            )
        rest, channel = np.divmod(prefix, len(_CHANNELS))
        day, site = np.divmod(rest, len(self.prefixes.site_ids))
        return {
            "day": days_since_2000(self.prefixes.days)[day],
            "site_id": self.prefixes.site_ids[site],
            "channel": channel,
            "label": label,
            "contacts": contacts,
            "victims": victims,
        }

    def month_rows(self, left_out: str) -> dict[str, np.ndarray]:
        """The cells summed over their days, without the dimension `left_out`: the rows of
        MonthlyCount when the cells are every day of one month."""
        prefix, label, contacts, victims = self.columns()
        kept = np.array([dimension != left_out for dimension, _value in self.labels], dtype=bool)
        if len(prefix):
            keep = kept[label]
            prefix, label = prefix[keep], label[keep]
            contacts, victims = contacts[keep], victims[keep]
        if not len(prefix):
            return dict.fromkeys(("site_id", "channel", "label", "contacts", "victims"), prefix)
        rest, channel = np.divmod(prefix, len(_CHANNELS))
        site = rest % len(self.prefixes.site_ids)
        keys, at = np.unique(
            (site * len(_CHANNELS) + channel) * len(self.labels) + label, return_inverse=True
        )
        rest, label = np.divmod(keys, len(self.labels))
        site, channel = np.divmod(rest, len(_CHANNELS))
        return {
            "site_id": self.prefixes.site_ids[site],
            "channel": channel,
            "label": label,
            "contacts": np.bincount(at, weights=contacts).astype(np.int64),
            "victims": np.bincount(at, weights=victims).astype(np.int64),
        }

    def as_dict(self) -> dict:
        """counting's shape: (day, site, channel, dimension, value) -> [contacts, victims]."""
        prefix, label, contacts, victims = self.columns()
        if not len(prefix):
            return {}
        days, sites, channels = self.prefixes.decode_many(prefix)
        labels = self.labels
        return {
            (day, site, channel, *labels[at]): [n, v]
            for day, site, channel, at, n, v in zip(
                days,
                sites,
                channels,
                label.tolist(),
                contacts.tolist(),
                victims.tolist(),
                strict=True,
            )
        }


def contacts_tally(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> dict:
    return contacts_cells(start, end, schedule, site_id=site_id).as_dict()


def contacts_cells(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> Cells:
    """The counted cells of the contacts starting in [start, end) (of one site)."""
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
    if not len(rows):
        return Cells(None)
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
    cells = Cells(prefixes)

    def tally(dimension: str, value_index: np.ndarray, values: list[str]) -> None:
        cells.add(dimension, prefix * len(values) + value_index, values, n_victims)

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
    cells.add(
        _FORMS,
        prefix[form_row] * len(form_codes) + form,
        form_codes,
        n_victims[form_row],
    )
    # Victims per age group: a contact counts once per age group, with its victims of it.
    pairs, victims = np.unique(victim_row * len(victim_ages) + victim_age, return_counts=True)
    pair_row, pair_age = np.divmod(pairs, len(victim_ages))
    cells.add(
        _VICTIM_AGE_GROUP,
        prefix[pair_row] * len(victim_ages) + pair_age,
        victim_ages,
        victims.astype(np.float64),
    )
    return cells


class AttemptCells:
    """Counted attempt cells as columns, one entry per cell: `day` (index in `days`),
    `channel` (index in the channels), `hour`, `answered`, `outside`, `misdial` (0/1),
    and the attempts, wait and talk seconds summed."""

    def __init__(self, days: list, columns: dict[str, np.ndarray]):
        self.days = days
        self.columns = columns

    def rows(self) -> dict[str, np.ndarray]:
        """The cells as the columns of DailyAttemptCount, the day as days since 2000-01-01,
        the channel as its index in the channels."""
        c = self.columns
        day = c["day"]
        return {
            "day": days_since_2000(self.days)[day] if len(day) else day,
            "channel": c["channel"],
            "hour": c["hour"],
            "answered": c["answered"],
            "outside_hours": c["outside"],
            "likely_misdial": c["misdial"],
            "attempts": c["attempts"],
            "wait_seconds_sum": c["wait"],
            "talk_seconds_sum": c["talk"],
        }

    def as_dict(self) -> dict:
        """counting's shape: (day, channel, hour, answered, outside_hours, likely_misdial)
        -> [attempts, wait_seconds, talk_seconds]."""
        c = self.columns
        if not len(c["attempts"]):
            return {}
        return {
            (self.days[day], _CHANNELS[channel], hour, bool(a), bool(o), bool(m)): [n, w, t]
            for day, channel, hour, a, o, m, n, w, t in zip(
                *(
                    c[name].tolist()
                    for name in (
                        "day",
                        "channel",
                        "hour",
                        "answered",
                        "outside",
                        "misdial",
                        "attempts",
                        "wait",
                        "talk",
                    )
                ),
                strict=True,
            )
        }


def attempts_cells(start: datetime, end: datetime, schedule: OpeningSchedule) -> AttemptCells:
    """The counted cells of the call and chat attempts starting in [start, end)."""
    table = connection.ops.quote_name(CallAttempt._meta.db_table)
    rows = _fetch_int8(
        [
            _code("a.channel"),
            _instant("a.started_at"),
            _int4("a.answered::int"),
            _int4("a.wait_seconds"),
            _int4("a.talk_seconds"),
        ],
        f"FROM {table} a WHERE a.started_at >= %(start)s AND a.started_at < %(end)s",
        {"start": start, "end": end},
    )
    clock = _Clock(start, end, schedule)
    names = ("day", "channel", "hour", "answered", "outside", "misdial")
    if not len(rows):
        empty = np.zeros(0, dtype=np.int64)
        return AttemptCells(clock.days, dict.fromkeys((*names, "attempts", "wait", "talk"), empty))
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
    present = np.flatnonzero(n)
    rest, flag = np.divmod(present, 8)
    prefix, hour = np.divmod(rest, 24)
    # One site (0) in the prefixes: prefix = day * channels + channel.
    day, channel = np.divmod(prefix, len(_CHANNELS))
    return AttemptCells(
        clock.days,
        {
            "day": day,
            "channel": channel,
            "hour": hour,
            "answered": flag >> 2 & 1,
            "outside": flag >> 1 & 1,
            "misdial": flag & 1,
            "attempts": n[present],
            "wait": waited[present].astype(np.int64),
            "talk": talked[present].astype(np.int64),
        },
    )


def attempts_tally(start: datetime, end: datetime, schedule: OpeningSchedule) -> dict:
    return attempts_cells(start, end, schedule).as_dict()


def everything_tally(
    start: datetime, end: datetime, schedule: OpeningSchedule, *, site_id: int | None = None
) -> Counts:
    """counting.everything_count, tallied with numpy (PostgreSQL)."""
    return Counts(
        contacts=contacts_tally(start, end, schedule, site_id=site_id),
        attempts=attempts_tally(start, end, schedule),
    )


# --- writing cells with COPY -------------------------------------------------------------

# PostgreSQL's binary COPY: a signature, no flags, no header extension; each row its number
# of fields, then each field as its length and its big-endian value; -1 fields at the end.
_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
_COPY_TRAILER = b"\xff\xff"
_COPY_TYPES = {"int2": ">i2", "int4": ">i4", "int8": ">i8", "date": ">i4", "bool": "i1"}
_DATE_EPOCH = date(2000, 1, 1)


def copy_columns(cursor, table: str, columns: list[tuple[str, str, np.ndarray]]) -> None:
    """COPY the rows given column-wise as (name, PostgreSQL type, values) into `table`,
    in the binary format built by numpy (no Python object per row). Types: int2, int4,
    int8, bool and date (given as days since 2000-01-01); never NULL."""
    rows = len(columns[0][2]) if columns else 0
    if not rows:
        return
    layout = [("fields", ">i2")]
    for index, (_name, kind, _values) in enumerate(columns):
        layout += [(f"size{index}", ">i4"), (f"value{index}", _COPY_TYPES[kind])]
    records = np.empty(rows, dtype=np.dtype(layout))
    records["fields"] = len(columns)
    for index, (_name, kind, values) in enumerate(columns):
        records[f"size{index}"] = np.dtype(_COPY_TYPES[kind]).itemsize
        records[f"value{index}"] = values
    names = ", ".join(connection.ops.quote_name(name) for name, _kind, _values in columns)
    # The table is the caller's (a temporary table of aggregates.py), the names its columns.
    with cursor.copy(f"COPY {table} ({names}) FROM STDIN (FORMAT binary)") as copy:
        copy.write(_COPY_SIGNATURE + records.tobytes() + _COPY_TRAILER)


def days_since_2000(days: list[date]) -> np.ndarray:
    """The binary COPY value of each date."""
    return np.array([(day - _DATE_EPOCH).days for day in days], dtype=np.int64)
