"""The annual figures computed by DuckDB from the raw rows exported to Parquet.

`rows_export` writes four Parquet files (contacts with their number of victims, victims,
forms of violence, attempts) via CSV: PostgreSQL's COPY ... TO STDOUT, elsewhere (tests)
the ORM; DuckDB turns each CSV into Parquet. `duckdb_figures` then computes every key of
the annual JSON with SQL over those files — months in local time, and "outside opening
hours" with the same rule as staffing.services.opening_hours, from the slots, the Belgian
public holidays and the closures given to DuckDB as small tables (nothing precomputed per
contact). Only the shape (every code of every taxonomy with 0) comes from Python.
"""

from __future__ import annotations

import csv
from datetime import UTC, date
from pathlib import Path

import holidays
from django.conf import settings
from django.db import connection

from staffing.services.time import day_start

CONTACT_FIELDS = (
    "id",
    "channel",
    "started_at",
    "site_id",
    "theme_id",
    "caller_gender_id",
    "caller_age_group_id",
    "caller_role_id",
    "region_id",
    "awareness_source_id",
    "context_id",
    "referral_id",
    "contact_type_id",
    "caller_profile_id",
)
TYPES = {
    "contacts": {
        "id": "BIGINT",
        "channel": "VARCHAR",
        "started_at": "TIMESTAMPTZ",
        "site_id": "BIGINT",
        **dict.fromkeys(CONTACT_FIELDS[4:-1], "VARCHAR"),
        "caller_profile_id": "BIGINT",
        "n_victims": "INTEGER",
    },
    "victims": {"contact_id": "BIGINT", "age_group_id": "VARCHAR"},
    "forms": {"contact_id": "BIGINT", "violenceform_id": "VARCHAR"},
    "attempts": {
        "id": "BIGINT",
        "channel": "VARCHAR",
        "started_at": "TIMESTAMPTZ",
        "answered": "BOOLEAN",
        "wait_seconds": "INTEGER",
    },
}


def _queries() -> dict[str, str]:
    from contacts.models import CallAttempt, Contact, Victim

    q = connection.ops.quote_name
    contact, victim = q(Contact._meta.db_table), q(Victim._meta.db_table)
    through = q(Contact.forms_of_violence.through._meta.db_table)
    attempt = q(CallAttempt._meta.db_table)
    return {
        "contacts": (
            f"SELECT {', '.join('c.' + f for f in CONTACT_FIELDS)}, "  # noqa: S608  # nosec B608
            f"COALESCE(v.n, 0) AS n_victims FROM {contact} c LEFT JOIN "
            f"(SELECT contact_id, COUNT(*) AS n FROM {victim} GROUP BY contact_id) v "
            "ON v.contact_id = c.id"
        ),
        "victims": f"SELECT contact_id, age_group_id FROM {victim}",  # noqa: S608  # nosec B608
        "forms": f"SELECT contact_id, violenceform_id FROM {through}",  # noqa: S608  # nosec B608
        "attempts": (
            f"SELECT id, channel, started_at, answered, wait_seconds FROM {attempt}"  # noqa: S608  # nosec B608
        ),
    }


def rows_export(directory: Path) -> dict[str, Path]:
    """Export the raw rows to `directory`/NAME.parquet; returns the Parquet paths."""
    import duckdb

    paths = {}
    duck = duckdb.connect()
    for name, sql in _queries().items():
        csv_path = directory / f"{name}.csv"
        if connection.vendor == "postgresql":
            _copy_out(sql, csv_path)
        else:
            _fetch_out(sql, csv_path)
        parquet = directory / f"{name}.parquet"
        columns = "{" + ", ".join(f"'{k}': '{v}'" for k, v in TYPES[name].items()) + "}"
        # Paths of our own temporary directory, column types from TYPES.
        duck.execute(
            f"COPY (SELECT * FROM read_csv('{csv_path}', header = true, columns = {columns}, "  # noqa: S608
            f"nullstr = '')) TO '{parquet}' (FORMAT PARQUET)"  # noqa: S608  # nosec B608
        )
        csv_path.unlink()
        paths[name] = parquet
    duck.close()
    return paths


def _copy_out(sql: str, path: Path) -> None:
    with connection.cursor() as cursor, path.open("wb") as out:
        raw = cursor.cursor
        raw.execute("SET TIME ZONE 'UTC'")
        with raw.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy:
            for block in copy:
                out.write(block)


def _fetch_out(sql: str, path: Path) -> None:
    """Other databases (the tests' SQLite): the same CSV through a plain cursor."""
    with connection.cursor() as cursor, path.open("w", newline="") as out:
        cursor.execute(sql)
        writer = csv.writer(out)
        writer.writerow([column[0] for column in cursor.description])
        for row in cursor.fetchall():
            writer.writerow(["" if value is None else _text(value) for value in row])


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        if getattr(value, "tzinfo", None) is None and hasattr(value, "hour"):
            value = value.replace(tzinfo=UTC)  # Django stores UTC
        return value.isoformat()
    text = str(value)
    if len(text) >= 19 and text[4] == "-" and text[10] in " T" and "+" not in text[10:]:
        return text + "+00:00"  # SQLite returns UTC datetimes as naive text
    return text


# --- the figures ----------------------------------------------------------------------------

_SCALARS = {
    "by_theme": "theme_id",
    "caller_role": "caller_role_id",
    "region": "region_id",
    "awareness_source": "awareness_source_id",
    "context": "context_id",
    "referral": "referral_id",
    "caller_gender": "caller_gender_id",
    "caller_age_group": "caller_age_group_id",
    "by_contact_type": "contact_type_id",
}

_OUTSIDE = """
    -- staffing.services.opening_hours: open when an open interval of the channel on the
    -- local date (a slot in force that day, the day no public holiday) holds the instant
    -- and no closure (of the channel or of all) does; e-mail is never outside the hours.
    {t}.channel <> 'email' AND (
        {t}.id NOT IN (
            SELECT x.id FROM {t} x JOIN open_intervals o
              ON o.channel = x.channel AND o.day = CAST(x.lt AS DATE)
             AND x.started_at >= o.starts AND x.started_at < o.ends
        )
        OR {t}.id IN (
            SELECT x.id FROM {t} x JOIN closures k
              ON (k.channel = '' OR k.channel = x.channel)
             AND x.started_at >= k.starts_at AND x.started_at < k.ends_at
        )
    )
"""

# The open intervals of every local day around the year, as instants: the slots in force
# that weekday and date, public holidays left out (a local date plus a local time read in
# Europe/Brussels, as staffing.services.time.at_local does).
_OPEN_INTERVALS = """
    CREATE TABLE open_intervals AS
    SELECT s.channel, r.day,
           timezone('Europe/Brussels', r.day + s.start_time) AS starts,
           timezone('Europe/Brussels', r.day + s.end_time) AS ends
    FROM (SELECT CAST(range AS DATE) AS day FROM range(CAST($1 AS TIMESTAMP),
          CAST($2 AS TIMESTAMP), INTERVAL 1 DAY)) r
    JOIN slots s ON s.weekday = isodow(r.day) - 1 AND s.valid_from <= r.day
                AND (s.valid_to IS NULL OR r.day <= s.valid_to)
    WHERE r.day NOT IN (SELECT day FROM public_holidays)
"""


def _small_tables(duck, year: int) -> None:
    from staffing.models import Closure, OpeningHours

    duck.execute(
        "CREATE TABLE slots (channel VARCHAR, weekday INTEGER, start_time TIME, "
        "end_time TIME, valid_from DATE, valid_to DATE)"
    )
    slots = [
        (o.channel, day, o.start_time, o.end_time, o.valid_from, o.valid_to)
        for o in OpeningHours.objects.all()
        for day in o.weekdays
    ]
    if slots:
        duck.executemany("INSERT INTO slots VALUES (?, ?, ?, ?, ?, ?)", slots)
    duck.execute("CREATE TABLE public_holidays (day DATE)")
    days = list(holidays.country_holidays("BE", years=[year - 1, year, year + 1]))
    duck.executemany("INSERT INTO public_holidays VALUES (?)", [(d,) for d in days])
    duck.execute(
        "CREATE TABLE closures (channel VARCHAR, starts_at TIMESTAMPTZ, ends_at TIMESTAMPTZ)"
    )
    closures = list(Closure.objects.values_list("channel", "starts_at", "ends_at"))
    if closures:
        duck.executemany("INSERT INTO closures VALUES (?, ?, ?)", closures)
    duck.execute(_OPEN_INTERVALS, [date(year - 1, 12, 31), date(year + 1, 1, 2)])


def duckdb_figures(paths: dict[str, Path], year: int) -> dict:
    """The annual figures of `year` (whole line), as reports.services.figures makes them."""
    import duckdb

    from reports.services.figures import MONTHS, _codes, by_counselling

    from contacts.models import (  # isort: skip
        AwarenessSource,
        CallerAgeGroup,
        CallerRole,
        ContactType,
        Gender,
        Referral,
        Region,
        Theme,
        VictimAgeGroup,
        ViolenceContext,
        ViolenceForm,
    )
    from meldpunt.channels import Channel

    start, end = day_start(date(year, 1, 1)), day_start(date(year + 1, 1, 1))
    duck = duckdb.connect()
    duck.execute("SET TimeZone = 'UTC'")
    _small_tables(duck, year)
    # Views cannot take parameters: the year's bounds are literals (from day_start, trusted).
    bounds = (
        f"started_at >= TIMESTAMPTZ '{start.isoformat()}' "
        f"AND started_at < TIMESTAMPTZ '{end.isoformat()}'"
    )
    duck.execute(
        f"CREATE VIEW c AS SELECT *, timezone('Europe/Brussels', started_at) AS lt "  # noqa: S608
        f"FROM read_parquet('{paths['contacts']}') WHERE {bounds}"  # noqa: S608  # nosec B608
    )
    duck.execute(
        f"CREATE VIEW a AS SELECT *, timezone('Europe/Brussels', started_at) AS lt "  # noqa: S608
        f"FROM read_parquet('{paths['attempts']}') WHERE {bounds}"  # noqa: S608  # nosec B608
    )
    minor_codes = list(CallerAgeGroup.objects.filter(is_minor=True).values_list("code", flat=True))
    scalar_sets = ", ".join(f"({column})" for column in _SCALARS.values())
    # One scan: every contact breakdown as a grouping set.
    rows = duck.execute(
        f"""
        SELECT GROUPING_ID(m, channel, {", ".join(_SCALARS.values())}, outside, minor) AS g,
               m, channel, {", ".join(_SCALARS.values())}, outside, minor,
               COUNT(*) AS n, SUM(n_victims) AS v
        FROM (
            SELECT *, CAST(month(lt) AS INTEGER) AS m,
                   ({_OUTSIDE.format(t="c")}) AS outside,
                   caller_age_group_id IN (SELECT UNNEST($1::VARCHAR[])) AS minor
            FROM c
        ) t
        GROUP BY GROUPING SETS (
            (m, channel), (m, theme_id), (caller_age_group_id, caller_gender_id),
            (channel, minor), (outside), {scalar_sets}
        )
        """,  # noqa: S608  # nosec B608
        [minor_codes],
    ).fetchall()
    names = ["m", "channel", *_SCALARS.values(), "outside", "minor"]
    channels = list(Channel.values)
    figures: dict = {
        "year": year,
        "site": None,
        "total_contacts": 0,
        "total_victims": 0,
        "by_month": dict.fromkeys(MONTHS, 0),
        "by_channel": dict.fromkeys(channels, 0),
        "by_month_channel": {m: dict.fromkeys(channels, 0) for m in MONTHS},
        "by_month_theme": {m: dict.fromkeys(_codes(Theme), 0) for m in MONTHS},
        "caller_age_gender": {
            age: dict.fromkeys(_codes(Gender), 0) for age in _codes(CallerAgeGroup)
        },
        "minors_by_channel": dict.fromkeys(channels, 0),
        "victims_by_age_group": dict.fromkeys(_codes(VictimAgeGroup), 0),
        "outside_opening_hours": {
            "contacts": 0,
            "attempts": 0,
            "likely_misdials": 0,
            "attempts_scope": "line",
        },
    }
    models = {
        "by_theme": Theme,
        "caller_role": CallerRole,
        "region": Region,
        "awareness_source": AwarenessSource,
        "context": ViolenceContext,
        "referral": Referral,
        "caller_gender": Gender,
        "caller_age_group": CallerAgeGroup,
        "by_contact_type": ContactType,
    }
    for key, model in models.items():
        figures[key] = dict.fromkeys(_codes(model), 0)
    figures["forms_of_violence"] = dict.fromkeys(_codes(ViolenceForm), 0)

    def grouped(grouping_id: int, row) -> set[str]:
        """The columns a row of GROUPING SETS is grouped by (bit set = column rolled up)."""
        width = len(names)
        return {names[i] for i in range(width) if not grouping_id >> (width - 1 - i) & 1}

    for row in rows:
        g, values, n, v = row[0], dict(zip(names, row[1:-2], strict=True)), row[-2], row[-1]
        by = grouped(g, row)
        if by == {"m", "channel"}:
            m = str(values["m"])
            figures["by_month"][m] += n
            figures["by_channel"][values["channel"]] += n
            figures["by_month_channel"][m][values["channel"]] += n
            figures["total_contacts"] += n
            figures["total_victims"] += v
        elif by == {"m", "theme_id"}:
            figures["by_month_theme"][str(values["m"])][values["theme_id"] or ""] += n
        elif by == {"caller_age_group_id", "caller_gender_id"}:
            age = values["caller_age_group_id"] or ""
            figures["caller_age_gender"][age][values["caller_gender_id"] or ""] += n
        elif by == {"channel", "minor"}:
            if values["minor"]:
                figures["minors_by_channel"][values["channel"]] += n
        elif by == {"outside"}:
            if values["outside"]:
                figures["outside_opening_hours"]["contacts"] += n
        else:
            (column,) = by
            key = next(k for k, c in _SCALARS.items() if c == column)
            figures[key][values[column] or ""] += n

    for age_group, n in duck.execute(
        f"SELECT age_group_id, COUNT(*) FROM read_parquet('{paths['victims']}') "  # noqa: S608
        "WHERE contact_id IN (SELECT id FROM c) GROUP BY ALL"  # noqa: S608  # nosec B608
    ).fetchall():
        figures["victims_by_age_group"][age_group or ""] += n
    for form, n in duck.execute(
        f"""
        SELECT f.violenceform_id, COUNT(*) FROM read_parquet('{paths["forms"]}') f
        WHERE f.contact_id IN (SELECT id FROM c) GROUP BY ALL
        UNION ALL
        SELECT '', COUNT(*) FROM c
        WHERE id NOT IN (SELECT contact_id FROM read_parquet('{paths["forms"]}'))
        """  # noqa: S608  # nosec B608
    ).fetchall():
        figures["forms_of_violence"][form] += n
    outside, misdials = duck.execute(
        f"""
        SELECT COUNT(*), COUNT(*) FILTER (WHERE NOT answered AND wait_seconds < $1)
        FROM a WHERE {_OUTSIDE.format(t="a")}
        """,  # noqa: S608  # nosec B608
        [settings.MISDIAL_SECONDS],
    ).fetchone()
    figures["outside_opening_hours"]["attempts"] = outside
    figures["outside_opening_hours"]["likely_misdials"] = misdials

    figures["by_counselling"] = by_counselling(figures["by_contact_type"])
    distinct, repeat, repeat_contacts, with_profile = duck.execute(
        """
        SELECT COUNT(*), COUNT(*) FILTER (WHERE n >= 2),
               COALESCE(SUM(n) FILTER (WHERE n >= 2), 0), COALESCE(SUM(n), 0)
        FROM (SELECT caller_profile_id, COUNT(*) AS n FROM c
              WHERE caller_profile_id IS NOT NULL GROUP BY ALL)
        """
    ).fetchone()
    total = figures["total_contacts"]
    figures["callers"] = {
        "distinct": distinct,
        "repeat": repeat,
        "repeat_contacts": int(repeat_contacts),
        "contacts_with_profile": int(with_profile),
        "repeat_share": round(100 * int(repeat_contacts) / total, 1) if total else None,
    }
    duck.close()
    return figures
