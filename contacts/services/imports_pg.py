"""The contact CSV import on PostgreSQL: COPY into a staging table, set-based checks and
INSERT ... SELECT (imports.py is the entry point and holds the row-by-row path).

The file is streamed once: its header is read in Python, the rest is sent in chunks to
`COPY ... FROM STDIN (FORMAT csv)` into a temporary table of text columns (an ordinal column
keeps the order of the records) and written to a temporary spool file at the same time.
Every rule of the row-by-row path is then checked with a few statements over the whole
staging table. The fast path only ever *accepts* a file; it never words an error. Whenever
it cannot be sure that the row-by-row path would accept the file exactly as it reads it
here, it hands the spooled file to that path (which gives today's messages):

* COPY itself failed: broken quoting, a wrong number of fields, bad UTF-8, a NUL character,
  an empty line, mixed line endings;
* the bytes hold something COPY and Python's csv module read differently: a quote that does
  not open or close a field, a carriage return outside a quoted field that does not end a
  line, a line holding only `\\.` (COPY's end of data), a header over more than one line;
* any row-level error (unknown code, bad value, start in the future, case of another site,
  an external id twice in the file, …), or a value written in a form the checks here do not
  parse themselves (a start not like 2018-03-05T10:15:00+01:00, a duration of ten digits,
  a value other than the notes with white space at either end or a line break, a list
  entry padded with white space beyond ASCII).

Where the time goes on a good file (profiled from PostgreSQL's statement log, 100k rows
into a table of 1M): the INSERT into contacts_contact (4.6 s: its 12 indexes since
migration 0008, the full-text index of the notes, the WAL) and, at commit (7.4 s), the
deferred foreign-key checks of every row, thirteen per contact; the COPY and the
set-based checks take about 1 s together.

Malformed files are rare, so they may be slow; a good file never leaves PostgreSQL row by
row. Memory does not grow with the file: chunks of CHUNK_BYTES, and the rows handed to
`on_flag` are read with a server-side cursor.
"""

import codecs
import csv
import logging
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import IO

import psycopg
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from meldpunt.channels import Channel
from staffing.models import Site

from ..models import (
    DEFAULT_CONTACT_TYPE,
    NOTES_MAX_LENGTH,
    Case,
    Contact,
    ContactFlag,
    ContactType,
    Victim,
    VictimAgeGroup,
    ViolenceForm,
)
from .contacts import CALLER_ROLE_PROFESSIONAL, EARLIEST_START, LONG_CONVERSATION
from .references import Kind, reference_parse

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
# References are taken per year in ranges of at most this many (each range its own short
# detached transaction, as the row-by-row path does per batch).
REFERENCE_RANGE = 50_000
# Python's csv module refuses a longer field ("field larger than field limit").
CSV_FIELD_LIMIT = csv.field_size_limit()
# A quoted field still open after this many bytes is not a field worth reading fast.
MAX_OPEN_QUOTE_BYTES = 4 * CHUNK_BYTES
# What str.strip() removes (the row-by-row path strips every value but the notes).
WHITESPACE = "".join(chr(c) for c in range(0x110000) if chr(c).isspace())
# The same, as the body of a bracket expression for ASCII, and beyond ASCII.
_ASCII_SPACE = "\t-\r\x1c- "
_WIDE_SPACE = "".join(c for c in WHITESPACE if ord(c) > 127)

# A field in quotes that starts and ends at a field boundary, or else one character that
# COPY and the csv module may read differently: a stray quote, a lone carriage return.
_SCAN = re.compile(rb'(?<=[,\n])"(?:[^"]|"")*"(?=[,\r\n])|"|\r(?!\n)')
_END_OF_DATA = re.compile(rb"(?:^|\n)\\\.\r?(?:\n|$)")

# started_at as an export writes it (and as most files do); anything else is parsed by the
# row-by-row path. Years 2000-2099 only: others are refused there or rare enough.
_INSTANT = (
    r"^20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?"
    r"(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


# The temporary tables of one import (dropped at its end, and at the latest on commit).
_TABLES = ("import_stage", "import_rows", "import_cases", "import_new", "import_ranges")


class Fallback(Exception):
    """The fast path cannot vouch for this file; the row-by-row path reads it."""


@dataclass
class Outcome:
    rows_read: int
    imported: int
    already_present: int
    victims: int
    flagged: int


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _table(model) -> str:
    return _q(model._meta.db_table)


def _column(model, field: str) -> str:
    return _q(model._meta.get_field(field).column)


class _Scanner:
    """Follows the bytes after the header and notes anything COPY may read otherwise than
    csv.reader(strict=True) would. Chunks end at line ends."""

    def __init__(self):
        self.tail = b"\n"  # what the next chunk is scanned after (a field boundary)
        self.doubtful = ""

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if self.doubtful:
            return
        if _END_OF_DATA.search(chunk):
            self.doubtful = "a line holds only \\."
            return
        buffer = self.tail + chunk
        if final and not buffer.endswith(b"\n"):
            buffer += b"\n"
        for match in _SCAN.finditer(buffer, 1):
            if len(match.group()) > 1:
                continue
            if final:
                self.doubtful = "a stray quote or carriage return"
                return
            # Maybe a quoted field that goes on in the next chunk: scan it again then.
            self.tail = buffer[match.start() - 1 :]
            if len(self.tail) > MAX_OPEN_QUOTE_BYTES:
                self.doubtful = "a quoted field that does not end"
            return
        self.tail = buffer[-1:]


def _header(first_line: bytes) -> list[str]:
    """The column names, if the header is plain enough for the fast path."""
    if first_line.startswith(codecs.BOM_UTF8):
        first_line = first_line[len(codecs.BOM_UTF8) :]
    if not first_line.endswith(b"\n") or b'"' in first_line or b"\r" in first_line[:-2]:
        raise Fallback("header")
    try:
        text = first_line.decode("utf-8")
    except UnicodeDecodeError:
        raise Fallback("header") from None
    from .imports import BASE_COLUMNS, COLUMNS

    fields = next(csv.reader([text]), [])
    if (
        not fields
        or any(name not in COLUMNS for name in fields)
        or len(set(fields)) != len(fields)
        or any(name not in fields for name in BASE_COLUMNS)
    ):
        raise Fallback("header")
    return fields


def _chunks(lines: Iterator[bytes]) -> Iterator[bytes]:
    """Whole lines, joined to chunks of about CHUNK_BYTES."""
    pending: list[bytes] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line)
        if size >= CHUNK_BYTES:
            yield b"".join(pending)
            pending, size = [], 0
    if pending:
        yield b"".join(pending)


def stage(stream: Iterable[bytes], spool: IO[bytes]) -> list[str]:
    """COPY the records of `stream` into the temporary table import_stage and write every
    byte to `spool`. Returns the header; raises Fallback (after spooling the whole stream)
    when the fast path cannot read this file."""
    lines = iter(stream)
    first = next(lines, b"")
    spool.write(first)
    chunks = _chunks(lines)
    try:
        header = _header(first)
    except Fallback:
        for chunk in chunks:
            spool.write(chunk)
        raise
    columns = ", ".join(f"{_q(name)} text" for name in header)
    scanner = _Scanner()
    failure = None
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TABLES)}")
        cursor.execute(
            "CREATE TEMPORARY TABLE import_stage "
            f"(ord bigint GENERATED ALWAYS AS IDENTITY, {columns}) ON COMMIT DROP"
        )
        names = ", ".join(_q(name) for name in header)
        try:
            with (
                transaction.atomic(),
                cursor.cursor.copy(f"COPY import_stage ({names}) FROM STDIN (FORMAT csv)") as copy,
            ):
                for chunk in chunks:
                    spool.write(chunk)
                    scanner.feed(chunk)
                    copy.write(chunk)
                scanner.feed(b"", final=True)
        except psycopg.Error as error:
            failure = f"COPY: {error.sqlstate}"
    for chunk in chunks:  # the rest of a file COPY gave up on
        spool.write(chunk)
    if failure or scanner.doubtful:
        raise Fallback(failure or scanner.doubtful)
    return header


def check_and_insert(
    header: list[str], *, now: datetime, on_flag: Callable[[int, str, str], None]
) -> Outcome:
    """Check the staged records; insert them if every one is good, else raise Fallback."""
    with connection.cursor() as cursor:
        _rows_table(cursor, header, now)
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE bad), count(*) FILTER (WHERE fresh) "
            "FROM import_rows"
        )
        rows_read, bad, fresh = cursor.fetchone()
        if bad:
            raise Fallback("row-level errors")
        if _doubtful_groups(cursor):
            raise Fallback("duplicates or a case at two sites")
        outcome = Outcome(rows_read, fresh, rows_read - fresh, 0, 0)
        if fresh:
            _insert(cursor, outcome)
            _report_flags(on_flag)
        return outcome


def _rows_table(cursor, header: list[str], now: datetime) -> None:
    """import_rows: one row per record with its values, what they refer to and whether the
    record is bad (a rule of the row-by-row path broken, or a value this path does not read
    itself: one with white space at either end, which that path strips, or a line break
    outside the notes)."""
    from .imports import CODE_COLUMNS, COLUMNS

    present = set(header)

    def raw(name: str) -> str:
        return f"coalesce(s.{_q(name)}, '')" if name in present else "''"

    plain = [name for name in header if name != "notes"]
    longest = ", ".join(f"length({raw(name)})" for name in header)
    values = ", ".join(f"{raw(name)} AS {_q(name)}" for name in COLUMNS)
    joins = []
    unknown = []
    for column, model in CODE_COLUMNS.items():
        alias = _q("t_" + column)
        joins.append(f"LEFT JOIN {_table(model)} {alias} ON {alias}.code = v.{_q(column)}")
        unknown.append(f"(v.{_q(column)} <> '' AND {alias}.code IS NULL)")

    def unknown_entries(column: str, model) -> str:
        # Entries are stripped (and blank ones skipped) as the row-by-row path does; one
        # regular expression of the known codes per list, compiled once. An entry padded
        # with other than ASCII white space counts as unknown (the row-by-row path decides).
        codes = "|".join(
            "".join(c if c.isalnum() or c == "_" else "\\" + c for c in code)
            for code in model.objects.values_list("code", flat=True)
        )
        if not codes:
            return f"v.{_q(column)} !~ '^[{_ASCII_SPACE};]*$'"
        entry = f"[{_ASCII_SPACE}]*({codes})?[{_ASCII_SPACE}]*"
        params[f"list_{column}"] = f"^{entry}(;{entry})*$"
        return f"v.{_q(column)} !~ %(list_{column})s"

    default_site = next((site for site in Site.objects.all() if site.is_default), None)
    default_type = ContactType.objects.filter(pk=DEFAULT_CONTACT_TYPE).first()
    tolerance = timedelta(minutes=settings.CONTACT_FUTURE_TOLERANCE_MINUTES)
    params = {
        "ws": WHITESPACE,
        # A separator (\x01) or an end next to ASCII white space, or a line break anywhere;
        # white space beyond ASCII anywhere (rare: tested only in rows that are not ASCII).
        "untrimmed": f"\n|(^|\x01)[{_ASCII_SPACE}]|[{_ASCII_SPACE}](\x01|$)",
        "wide_space": _WIDE_SPACE,
        "instant": _INSTANT,
        "channels": list(Channel.values),
        "default_site": default_site.pk if default_site else None,
        "default_type": default_type.pk if default_type else None,
        "latest": now + tolerance,
        "earliest": EARLIEST_START,
        "notes_max": NOTES_MAX_LENGTH,
        "external_id_max": Contact._meta.get_field("external_id").max_length,
        "case_max": Case._meta.get_field("reference").max_length,
        "field_limit": CSV_FIELD_LIMIT,
        "long_seconds": int(LONG_CONVERSATION.total_seconds()),
        "email": Channel.EMAIL.value,
        "professional": CALLER_ROLE_PROFESSIONAL,
    }
    contact = _table(Contact)
    codes = ", ".join(
        f"nullif(v.{_q(c)}, '') AS {_q(c)}" for c in CODE_COLUMNS if c != "contact_type"
    )
    sql = f"""
        CREATE TEMPORARY TABLE import_rows ON COMMIT DROP AS
        SELECT p.*,
            p.malformed OR p.started_at IS NULL OR NOT p.present AND (
                p.started_at > %(latest)s OR p.started_at < %(earliest)s
                OR p.ended_at > %(latest)s
            ) AS bad,
            NOT p.present AS fresh
        FROM (
            SELECT q.*,
                q.started_at + make_interval(secs => q.seconds) AS ended_at,
                extract(year FROM q.started_at AT TIME ZONE 'Europe/Brussels')::int AS year,
                q.broken OR (q.duration_seconds <> '' AND q.seconds IS NULL) AS malformed,
                q.channel <> %(email)s AND q.seconds > %(long_seconds)s AS flag_long,
                EXISTS (SELECT 1 FROM {contact} c WHERE c.external_id = q.external_id)
                OR EXISTS (SELECT 1 FROM {contact} c
                    WHERE c.external_id IS NULL AND c.reference = q.external_id) AS present
            FROM (
                SELECT v.ord, v.notes, v.external_id, v.channel, v.duration_seconds,
                    CASE WHEN strpos(v.notes, E'\n') > 0
                        THEN length(v.notes) - length(replace(v.notes, E'\n', ''))
                        ELSE 0 END AS newlines,
                    CASE WHEN v.started_at ~ %(instant)s
                        AND substr(v.started_at, 9, 2)::int <= extract(day FROM
                            make_date(substr(v.started_at, 1, 4)::int,
                                      substr(v.started_at, 6, 2)::int, 1)
                            + interval '1 month - 1 day')
                        THEN v.started_at::timestamptz END AS started_at,
                    CASE WHEN v.duration_seconds ~ '^[0-9]{{1,9}}$'
                        THEN v.duration_seconds::int END AS seconds,
                    coalesce(site.id, CASE WHEN v.site = '' THEN %(default_site)s END)
                        AS site_id,
                    {codes},
                    coalesce(nullif(v.contact_type, ''), %(default_type)s) AS contact_type,
                    v.victims, v.forms_of_violence AS forms,
                    v.follow_up_needed = '1' AS follow_up_needed,
                    nullif(v.case, '') AS case_reference,
                    coalesce("t_caller_age_group".is_minor, false)
                        AND v.caller_role = %(professional)s AS flag_minor,
                    (
                        v.joined ~ %(untrimmed)s
                        OR (octet_length(v.joined) <> length(v.joined)
                            AND length(translate(v.joined, %(wide_space)s, ''))
                                <> length(v.joined))
                        OR v.external_id = '' OR length(v.external_id) > %(external_id_max)s
                        OR NOT v.channel = ANY(%(channels)s)
                        OR (site.id IS NULL AND (v.site <> '' OR %(default_site)s IS NULL))
                        OR {" OR ".join(unknown)}
                        OR {unknown_entries("victims", VictimAgeGroup)}
                        OR {unknown_entries("forms_of_violence", ViolenceForm)}
                        OR v.follow_up_needed NOT IN ('', '0', '1')
                        OR length(v.notes) > %(notes_max)s
                        OR length(v.case) > %(case_max)s
                        OR v.longest >= %(field_limit)s
                    ) AS broken
                FROM (
                    SELECT s.ord, {values},
                        concat_ws(E'\x01', {", ".join(f"s.{_q(n)}" for n in plain)}) AS joined,
                        greatest({longest}) AS longest
                    FROM import_stage s
                    OFFSET 0
                ) v
                LEFT JOIN {_table(Site)} site ON site.code = v.site AND v.site <> ''
                {" ".join(joins)}
                OFFSET 0
            ) q
            OFFSET 0
        ) p
    """  # noqa: S608  # nosec B608 - quoted names from the models
    cursor.execute(sql, params)


def _doubtful_groups(cursor) -> bool:
    """An external id twice in the file (the row-by-row path words it by batch), or a case
    named with two sites, or an existing case of another site."""
    case = _table(Case)
    cursor.execute(
        f"""
        SELECT EXISTS (SELECT 1 FROM import_rows GROUP BY external_id HAVING count(*) > 1)
            OR EXISTS (
                SELECT 1 FROM import_rows r JOIN {case} c ON c.reference = r.case_reference
                WHERE r.fresh AND c.site_id <> r.site_id)
            OR EXISTS (
                SELECT 1 FROM import_rows r
                WHERE r.fresh AND r.case_reference IS NOT NULL
                GROUP BY r.case_reference HAVING count(DISTINCT r.site_id) > 1)
        """  # noqa: S608  # nosec B608 - quoted names from the models
    )
    return cursor.fetchone()[0]


def _insert(cursor, outcome: Outcome) -> None:
    from . import imports  # one module for both paths to take references from

    moment = timezone.now()
    contact, case = _table(Contact), _table(Case)
    # The cases the rows name that do not exist yet, at the site of their first row.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_cases ON COMMIT DROP AS
        SELECT DISTINCT ON (r.case_reference) r.case_reference AS reference, r.site_id, r.ord
        FROM import_rows r
        WHERE r.fresh AND r.case_reference IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM {case} c WHERE c.reference = r.case_reference)
        ORDER BY r.case_reference, r.ord
        """  # noqa: S608  # nosec B608 - quoted names from the models
    )
    cursor.execute(
        f"""
        INSERT INTO {case} (reference, summary, opened_at, site_id, close_reason)
        SELECT x.reference, '', %s, x.site_id, '' FROM import_cases x ORDER BY x.ord
        """,  # noqa: S608  # nosec B608 - quoted names from the models
        [moment],
    )
    # Each year's case counter up to the highest number created, as the row-by-row path
    # does; references in our format are summed up here, any other starting with D is
    # left to reference_parse (its \d also takes digits of other scripts).
    cursor.execute(
        r"""
        SELECT 'D' || year || '-' || CASE WHEN max(number) < 10000
            THEN lpad(max(number)::text, 5, '0') ELSE max(number)::text END FROM (
            SELECT substr(reference, 2, 4) AS year, substr(reference, 7)::numeric AS number
            FROM import_cases WHERE reference ~ '^D[0-9]{4}-[0-9]{5,}$'
        ) x WHERE number > 0 GROUP BY year
        UNION ALL
        SELECT reference FROM import_cases
        WHERE left(reference, 1) = 'D' AND reference !~ '^D[0-9]{4}-[0-9]{5,}$'
        """
    )
    _raise_case_counters(row[0] for row in cursor.fetchall())

    # Contact ids in the order of the file, taken from the table's own sequence.
    cursor.execute(
        f"""
        CREATE TEMPORARY TABLE import_new ON COMMIT DROP AS
        SELECT nextval(pg_get_serial_sequence('{Contact._meta.db_table}', 'id')) AS id, x.*
        FROM (
            SELECT r.ord, r.year,
                row_number() OVER (PARTITION BY r.year ORDER BY r.ord) AS rank
            FROM import_rows r WHERE r.fresh ORDER BY r.ord
        ) x
        """  # noqa: S608  # nosec B608 - quoted names from the models
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE import_ranges "
        "(year int, rank_from bigint, rank_to bigint, first_number bigint) ON COMMIT DROP"
    )
    cursor.execute("SELECT year, count(*) FROM import_new GROUP BY year ORDER BY year")
    ranges = []
    for year, count in cursor.fetchall():
        done = 0
        while done < count:
            size = min(REFERENCE_RANGE, count - done)
            first = imports.reference_allocate(
                kind=Kind.CONTACT, year=year, count=size, detached=True
            )[0]
            ranges.append((year, done + 1, done + size, reference_parse(Kind.CONTACT, first)[1]))
            done += size
    cursor.executemany("INSERT INTO import_ranges VALUES (%s, %s, %s, %s)", ranges)

    from .imports import CODE_COLUMNS

    codes = list(CODE_COLUMNS)
    columns = [
        "id",
        "reference",
        "external_id",
        "channel",
        "started_at",
        "ended_at",
        "follow_up_needed",
        "notes",
        "created_at",
        "updated_at",
        "site",
        "case",
        *codes,
    ]
    names = ", ".join(_column(Contact, name) for name in columns)
    number = "(g.first_number + n.rank - g.rank_from)"
    cursor.execute(
        f"""
        INSERT INTO {contact} ({names})
        SELECT n.id,
            n.year || '-' || CASE WHEN {number} < 1000000 THEN lpad({number}::text, 6, '0')
                ELSE {number}::text END,
            r.external_id, r.channel, r.started_at, r.ended_at, r.follow_up_needed, r.notes,
            %(moment)s, %(moment)s, r.site_id, c.id,
            {", ".join(f"r.{_q(code)}" for code in codes)}
        FROM import_new n
        JOIN import_rows r ON r.ord = n.ord
        JOIN import_ranges g ON g.year = n.year AND n.rank BETWEEN g.rank_from AND g.rank_to
        LEFT JOIN {case} c ON c.reference = r.case_reference
        ORDER BY n.id
        """,  # noqa: S608  # nosec B608 - quoted names from the models
        {"moment": moment},
    )
    outcome.imported = cursor.rowcount
    cursor.execute(
        f"""
        INSERT INTO {_table(Victim)} ({_column(Victim, "contact")}, {_column(Victim, "age_group")})
        SELECT n.id, nullif(btrim(e.code, %s), '')
        FROM import_new n JOIN import_rows r ON r.ord = n.ord
        CROSS JOIN LATERAL unnest(string_to_array(r.victims, ';')) WITH ORDINALITY e(code, k)
        ORDER BY n.id, e.k
        """,  # noqa: S608  # nosec B608 - quoted names from the models
        [WHITESPACE],
    )
    outcome.victims = cursor.rowcount
    through = Contact.forms_of_violence.through
    cursor.execute(
        f"""
        INSERT INTO {_table(through)} (contact_id, violenceform_id)
        SELECT n.id, btrim(e.code, %(ws)s)
        FROM import_new n JOIN import_rows r ON r.ord = n.ord
        CROSS JOIN LATERAL unnest(string_to_array(r.forms, ';')) WITH ORDINALITY e(code, k)
        WHERE btrim(e.code, %(ws)s) <> ''
        GROUP BY n.id, btrim(e.code, %(ws)s)
        ORDER BY n.id, min(e.k)
        """,  # noqa: S608  # nosec B608 - quoted names from the models
        {"ws": WHITESPACE},
    )
    cursor.execute(
        f"""
        INSERT INTO {_table(ContactFlag)} (contact_id, reason, created_at)
        SELECT n.id, f.reason, %(moment)s
        FROM import_new n JOIN import_rows r ON r.ord = n.ord
        CROSS JOIN LATERAL (VALUES (1, %(minor)s, r.flag_minor), (2, %(long)s, r.flag_long))
            f(k, reason, applies)
        WHERE f.applies
        ORDER BY n.id, f.k
        """,  # noqa: S608  # nosec B608 - quoted names from the models
        {
            "moment": moment,
            "minor": ContactFlag.Reason.MINOR_PROFESSIONAL.value,
            "long": ContactFlag.Reason.LONG_CONVERSATION.value,
        },
    )
    cursor.execute(
        "SELECT count(*) FROM import_new n JOIN import_rows r ON r.ord = n.ord "
        "WHERE r.flag_minor OR r.flag_long"
    )
    outcome.flagged = cursor.fetchone()[0]


def _raise_case_counters(references: Iterable[str]) -> None:
    """As the row-by-row path: each year's counter up to its highest imported number."""
    from . import imports  # one module for both paths to take references from

    highest: dict[int, tuple[int, str]] = {}
    for reference in references:
        parsed = reference_parse(Kind.CASE, reference)
        if parsed and parsed[1] > highest.get(parsed[0], (0, ""))[0]:
            highest[parsed[0]] = (parsed[1], reference)
    for _number, reference in highest.values():
        imports.reference_counter_raise(kind=Kind.CASE, reference=reference, detached=True)


def _report_flags(on_flag: Callable[[int, str, str], None]) -> None:
    """`on_flag` for every flag, in the order of the file, read in chunks.

    A record's line is 1 + its ordinal (the header is line 1, ordinals count from 1) plus
    the line breaks inside the fields of the records before it; only records with line
    breaks and flagged ones take part in that running sum."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(
            """
            SELECT 1 + x.ord + x.breaks_before, x.external_id, f.reason
            FROM (
                SELECT r.ord, r.external_id, r.fresh, r.flag_minor, r.flag_long,
                    coalesce(sum(r.newlines) OVER (ORDER BY r.ord
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS breaks_before
                FROM import_rows r
                WHERE r.newlines > 0 OR (r.fresh AND (r.flag_minor OR r.flag_long))
            ) x
            CROSS JOIN LATERAL (VALUES (1, %s, x.flag_minor), (2, %s, x.flag_long))
                f(k, reason, applies)
            WHERE x.fresh AND f.applies
            ORDER BY x.ord, f.k
            """,
            [
                ContactFlag.Reason.MINOR_PROFESSIONAL.value,
                ContactFlag.Reason.LONG_CONVERSATION.value,
            ],
        )
        while rows := cursor.fetchmany(2000):
            for line, external_id, reason in rows:
                on_flag(line, external_id, reason)


def fast_import(
    stream: Iterable[bytes], *, now: datetime, on_flag: Callable[[int, str, str], None]
) -> tuple[Outcome | None, IO[bytes]]:
    """(outcome, spool) if the fast path imported the file; (None, spool) if the row-by-row
    path must read it from `spool` (the whole file; the caller closes it). Runs inside the
    caller's transaction; what it did is undone when it gives up."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the caller closes it
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Until the import's transaction ends: sorts and hashes of a big file in
                # memory, and no JIT compilation (seconds of LLVM for the wide expressions
                # of the checks, which run once).
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SET LOCAL jit = off")
            header = stage(stream, spool)
            outcome = check_and_insert(header, now=now, on_flag=on_flag)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE IF EXISTS {', '.join(_TABLES)}")
            return outcome, spool
    except Fallback as reason:
        logger.info("contact import: the row-by-row path reads this file (%s)", reason)
        spool.seek(0)
        return None, spool
