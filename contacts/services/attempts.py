"""Importing the call and chat attempt log (CSV format in DESIGN.md).

All or nothing, idempotent by external_id, and in constant memory: the file is read as a
stream, and every problem is reported with its line and column.

On PostgreSQL the csv module tokenises the file (the same line numbers, quoting rules and
messages about a malformed file everywhere). A row whose fields match one compiled pattern
(built from the header: values the checks accept, written the way PostgreSQL's casts read
them too, nothing to strip) goes as written, its caller replaced by the keyed hash, with COPY
into a temporary staging table of text: ~8 µs a row of Python (~25 µs before). Every other
row goes through the field checks that every path shares, which record its problems or give
its values. What needs the other rows is set-based: ids repeated in the file by a GROUP BY,
ids stored before by the unique index in one INSERT ... SELECT ... ON CONFLICT DO NOTHING,
which casts the text. That insert, with the table's six indexes, is most of the time
(~25 µs a row of database CPU). `row_by_row=True` sends every row through the checks (the
tests compare both paths).

Elsewhere (SQLite, the demo) batches are checked against the database and inserted with
bulk_create.
"""

import csv
import hashlib
import heapq
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.translation import gettext as _

from ..models import CallAttempt
from ..models.attempt import ATTEMPT_CHANNELS

REQUIRED_COLUMNS = (
    "external_id",
    "channel",
    "started_at",
    "wait_seconds",
    "talk_seconds",
    "answered",
)
OPTIONAL_COLUMNS = ("caller",)
# More problems than this are counted but not kept: a file that bad is the wrong file,
# and the first thousand say why.
MAX_PROBLEMS_KEPT = 1000
# PositiveIntegerField's range on every backend.
MAX_SECONDS = 2_147_483_647
# Any constant: serialises concurrent imports on PostgreSQL (SQLite serialises writers anyway).
IMPORT_LOCK_KEY = 1712_0001
CALLER_HASH_SALT = "meldpunt.contacts.attempt.caller"


@dataclass(frozen=True)
class ImportProblem:
    line: int
    column: str | None
    problem: str

    def __str__(self):
        if self.column is None:
            return _("line %(line)s: %(problem)s") % {"line": self.line, "problem": self.problem}
        return _("line %(line)s, column %(column)s: %(problem)s") % {
            "line": self.line,
            "column": self.column,
            "problem": self.problem,
        }


@dataclass
class ImportResult:
    dry_run: bool = False
    rows_read: int = 0
    imported: int = 0  # would be imported, on a dry run or when there are problems
    skipped: int = 0  # external_id already in the database before the import
    problems: list[ImportProblem] = field(default_factory=list)
    problem_count: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0

    def refuse(self, line: int, column: str | None, problem: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS_KEPT:
            self.problems.append(ImportProblem(line, column, problem))


class _ValueInvalid(Exception):
    """A field's value cannot be read; the message says why, in the UI language."""


# The line is Belgian: a number typed without country code is a Belgian one.
BELGIAN_PREFIX = "+32"
# What a number may be written with, dropped before comparing.
_SEPARATORS = str.maketrans("", "", " .-/()\t")


def caller_identifier_normalise(identifier: str) -> str:
    """The same number however it is written: spaces, dots, dashes, slashes and brackets
    dropped, a leading 00 written as +, a national number (0470…) as Belgian (+32470…);
    a chat handle is compared in lower case. The attempt log and the caller profiles both
    hash this form, so one caller has one key."""
    text = (identifier or "").strip()
    compact = text.translate(_SEPARATORS)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0") and compact.isdigit():
        compact = BELGIAN_PREFIX + compact[1:]
    if compact.lstrip("+").isdigit():
        return compact
    return text.lower()


def caller_hash(caller: str) -> str:
    """Keyed HMAC-SHA256 of a caller's number or chat handle (normalised); '' for none.

    The key is the CALLER_HASH_KEY setting, so the hash cannot be reversed
    by hashing every possible phone number without it.
    """
    caller = caller_identifier_normalise(caller)
    if not caller:
        return ""
    key = settings.CALLER_HASH_KEY
    return salted_hmac(CALLER_HASH_SALT, caller, secret=key, algorithm="sha256").hexdigest()


def _hmac_key() -> bytes:
    """The HMAC-SHA256 key of caller_hash, derived from CALLER_HASH_KEY as salted_hmac does."""
    return hashlib.sha256(
        force_bytes(CALLER_HASH_SALT) + force_bytes(settings.CALLER_HASH_KEY)
    ).digest()


def _caller_hasher():
    """caller_hash with its key derived once, for a loop over a whole file: HMAC as RFC 2104
    writes it, with hashlib's C objects copied per caller (~1 µs instead of ~25 µs for
    salted_hmac, ~3 µs for a copy of an hmac object). Equal to caller_hash (tested)."""
    key = _hmac_key().ljust(hashlib.sha256().block_size, b"\0")
    inner = hashlib.sha256(bytes(byte ^ 0x36 for byte in key))
    outer = hashlib.sha256(bytes(byte ^ 0x5C for byte in key))

    def hash_caller(caller: str) -> str:
        caller = caller_identifier_normalise(caller)
        if not caller:
            return ""
        digest = inner.copy()
        digest.update(caller.encode())
        result = outer.copy()
        result.update(digest.digest())
        return result.hexdigest()

    return hash_caller


def _external_id(value: str) -> str:
    value = value.strip()
    if not value:
        raise _ValueInvalid(_("The external id is empty."))
    # PostgreSQL cannot store a NUL character in text (the lookup and insert would fail).
    if "\x00" in value:
        raise _ValueInvalid(_("The external id contains a NUL character."))
    max_length = CallAttempt._meta.get_field("external_id").max_length
    if len(value) > max_length:
        raise _ValueInvalid(
            _("The external id is longer than %(max)s characters.") % {"max": max_length}
        )
    return value


def _channel(value: str) -> str:
    value = value.strip()
    if value not in ATTEMPT_CHANNELS:
        raise _ValueInvalid(
            _("%(value)r is not a channel with an attempt log (phone or chat).") % {"value": value}
        )
    return value


def _instant(value: str) -> datetime:
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _ValueInvalid(
            _("%(value)r is not an ISO 8601 date and time.") % {"value": value}
        ) from None
    if moment.tzinfo is None:
        raise _ValueInvalid(
            _("%(value)r has no UTC offset; add one, e.g. +01:00 or Z.") % {"value": value}
        )
    return moment.astimezone(UTC)


def _seconds(value: str) -> int:
    value = value.strip()
    # isdigit alone accepts "²" and other Unicode digits; int() alone accepts "+5" and "5_0".
    if not (value.isascii() and value.isdigit()):
        raise _ValueInvalid(_("%(value)r is not a whole number ≥ 0.") % {"value": value})
    number = int(value)
    if number > MAX_SECONDS:
        raise _ValueInvalid(_("%(value)s is too large.") % {"value": value})
    return number


def _answered(value: str) -> bool:
    value = value.strip()
    if value not in ("0", "1"):
        raise _ValueInvalid(_("%(value)r is not 1 or 0.") % {"value": value})
    return value == "1"


PARSERS = {
    "external_id": _external_id,
    "channel": _channel,
    "started_at": _instant,
    "wait_seconds": _seconds,
    "talk_seconds": _seconds,
    "answered": _answered,
    "caller": caller_hash,
}


def _row_parser(columns: list[str]):
    """`parse(line, row, problems)`: the attempt's fields of a row (fields in file order), or
    None after recording every problem in it on `problems` (an ImportResult), in file order
    of the columns. The one check of a row, whatever the path."""
    parsers = PARSERS | {"caller": _caller_hasher()}
    positions = [(position, name, parsers[name]) for position, name in enumerate(columns)]
    width = len(columns)

    def parse(line: int, row, problems: ImportResult) -> dict | None:
        parsed = {}
        for position, name, parse_field in positions:
            try:
                parsed[name] = parse_field(row[position])
            except _ValueInvalid as invalid:
                problems.refuse(line, name, str(invalid))
        if len(parsed) < width:
            return None
        if not parsed["answered"] and parsed["talk_seconds"]:
            problems.refuse(
                line, "talk_seconds", _("An unanswered attempt has no conversation time.")
            )
            return None
        parsed["caller_hash"] = parsed.pop("caller", "")
        return parsed

    return parse


def _fields_expected(line: int, width: int, found: int, problems: ImportResult) -> None:
    problems.refuse(
        line,
        None,
        _("Expected %(expected)s fields, found %(found)s.") % {"expected": width, "found": found},
    )


def _merge_problems(result: ImportResult, *collected: ImportResult) -> None:
    """Add the problems of `collected` to `result`'s: every list is in line order and no line
    is in two of them, so the merge is in line order; the first MAX_PROBLEMS_KEPT are kept,
    all are counted."""
    merged = heapq.merge(
        result.problems, *(c.problems for c in collected), key=lambda problem: problem.line
    )
    result.problems = list(islice(merged, MAX_PROBLEMS_KEPT))
    result.problem_count += sum(c.problem_count for c in collected)


def _columns_from_header(header: list[str], result: ImportResult) -> list[str] | None:
    """The column names in file order, or None (with problems recorded) when unusable."""
    names = [name.strip() for name in header]
    if names:
        # A BOM survives when the caller opened the file as "utf-8" instead of "utf-8-sig".
        names[0] = names[0].removeprefix("\ufeff")
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    seen: set[str] = set()
    for name in names:
        if name not in known:
            result.refuse(1, name, _("Unknown column."))
        elif name in seen:
            result.refuse(1, name, _("This column appears twice."))
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            result.refuse(1, name, _("This column is missing."))
    return None if result.problem_count else names


def _records(file, result: ImportResult) -> Iterable[tuple[int, list[str]]]:
    """(line where the record starts, fields) for every record after the header.

    Problems with the file itself (bad quoting, not UTF-8) are recorded and end the stream:
    after them no line number can be trusted.
    """
    reader = csv.reader(file, strict=True)
    line = 1
    try:
        for row in reader:
            yield line, row
            line = reader.line_num + 1
    except csv.Error as error:
        result.refuse(line, None, _("Malformed CSV: %(error)s.") % {"error": error})
    except UnicodeDecodeError:
        # Decoding runs ahead of parsing, so the bad bytes lie at or after this line.
        result.refuse(
            reader.line_num + 1, None, _("The file is not UTF-8 text at or after this line.")
        )


def _flush(batch: list[tuple[int, CallAttempt]], last_old_id: int, result: ImportResult):
    """Insert the batch's new attempts; skip ids that existed before the import started.

    Without keeping every id of the file in memory, a duplicate across batches is recognised
    by its row: present, but with an id handed out during this import.
    """
    existing = dict(
        CallAttempt.objects.filter(
            external_id__in=[attempt.external_id for _line, attempt in batch]
        )
        .order_by()
        .values_list("external_id", "id")
    )
    new: dict[str, CallAttempt] = {}
    for line, attempt in batch:
        key = attempt.external_id
        if key in existing and existing[key] <= last_old_id:
            # Already imported before: the stored row wins, however often the file repeats it.
            result.skipped += 1
        elif key in existing or key in new:
            result.refuse(
                line,
                "external_id",
                _("%(value)r appears earlier in this file.") % {"value": key},
            )
        else:
            new[key] = attempt
    CallAttempt.objects.bulk_create(new.values())
    result.imported += len(new)
    batch.clear()


def _import_records(records, columns, last_old_id, batch_size, result: ImportResult) -> None:
    parse = _row_parser(columns)
    width = len(columns)
    batch: list[tuple[int, CallAttempt]] = []
    for line, row in records:
        if not row:
            continue  # a blank line, e.g. at the end of the file
        result.rows_read += 1
        if len(row) != width:
            _fields_expected(line, width, len(row), result)
            continue
        parsed = parse(line, row, result)
        if parsed is None:
            continue
        batch.append((line, CallAttempt(**parsed)))
        if len(batch) >= batch_size:
            _flush(batch, last_old_id, result)
    if batch:
        _flush(batch, last_old_id, result)


_STAGING = "attempt_import_rows"
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# What a field needs escaping for in COPY's text format (a tab is found by counting the
# tabs of the joined row), and NUL, which PostgreSQL cannot store in text.
_NEEDS_ESCAPE = re.compile("[\\\\\n\r\x00]").search
# Rows per write to COPY: big enough to amortise the call, small enough for flat memory.
_COPY_CHUNK = 5000

# A field that the checks accept and that PostgreSQL's casts read to the same value as the
# checks do, with nothing to strip; fields written otherwise go through the checks (and the
# row is staged as the checks read it). ASCII ranges only: \d would match other digits.
_DIGIT = "[0-9]"
_PLAIN_FIELDS = {
    # First and last character printable ASCII other than the space: nothing to strip.
    "external_id": "[!-~](?:[^\t]{0,%(inner)d}[!-~])?",
    "channel": "(?:%(channels)s)",
    # datetime.fromisoformat's ISO 8601 as PostgreSQL reads it too: date (a day its month
    # has; 29 February goes through the check), "T", hours and minutes, optional seconds
    # with 1 to 6 decimals, "Z" or an offset below 15 hours. Years 1000-8999: year 1 and
    # 9999 can leave datetime's range in UTC.
    "started_at": (
        "[1-8][0-9]{3}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])"
        "|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))"
        "T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\\.[0-9]{1,6})?)?"
        "(?:Z|[-+](?:0[0-9]|1[0-4]):[0-5][0-9])"
    ),
    # Nine digits stay below MAX_SECONDS.
    "wait_seconds": "[0-9]{1,9}",
    "talk_seconds": "[0-9]{1,9}",
    "answered": "[01]",
    # Already replaced by its hash (hexadecimal, or empty for no caller).
    "caller": "[0-9a-f]*",
}
# The staging table of both PostgreSQL paths: every row in it has been found valid; its
# fields are text, as written (plain rows) or as the checks read them.
_RAW_COLUMNS = {name: name for name in REQUIRED_COLUMNS} | {"caller": "caller_hash"}


def _plain_row(columns: list[str]):
    """A compiled pattern's fullmatch for a whole row (fields joined by tabs, the caller
    already hashed) that only rows the checks accept can match."""
    max_id = CallAttempt._meta.get_field("external_id").max_length
    values = {
        "inner": max_id - 2,
        "channels": "|".join(re.escape(channel.value) for channel in ATTEMPT_CHANNELS),
    }
    return re.compile("\t".join(_PLAIN_FIELDS[name] % values for name in columns)).fullmatch


def _canonical(parsed: dict, name: str) -> str:
    """A checked field as the staging table's text (COPY's text format)."""
    if name == "caller":
        return parsed["caller_hash"]
    value = parsed[name]
    if name == "external_id":
        return value.translate(_COPY_ESCAPES)
    if name == "started_at":
        return value.isoformat()
    if name == "answered":
        return "1" if value else "0"
    return str(value)


def _stage_records(records, columns, result: ImportResult, *, row_by_row: bool) -> int:
    """PostgreSQL: COPY every valid row into the staging table; returns how many.

    A row that matches the plain pattern (and, when not answered, has no talk time) is valid
    as written and goes as it is, its caller replaced by the hash (~8 µs a row).
    Every other row, and every row with `row_by_row`, goes through the checks that the
    other databases use, which record its problems or give its values (~25 µs a row).
    """
    parse = _row_parser(columns)
    hash_caller = _caller_hasher()
    plain = None if row_by_row else _plain_row(columns)
    width = len(columns)
    caller = columns.index("caller") if "caller" in columns else None
    answered, talk = columns.index("answered"), columns.index("talk_seconds")
    staged = 0
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} (line integer, external_id text, "
            "channel text, started_at text, wait_seconds text, talk_seconds text, "
            "answered text, caller_hash text) ON COMMIT DROP"
        )
        names = ", ".join(_RAW_COLUMNS[name] for name in columns)
        with cursor.cursor.copy(f"COPY {_STAGING} (line, {names}) FROM STDIN") as copy:
            pending: list[str] = []
            for line, row in records:
                if not row:
                    continue  # a blank line, e.g. at the end of the file
                result.rows_read += 1
                if len(row) != width:
                    _fields_expected(line, width, len(row), result)
                    continue
                if plain is not None:
                    if caller is not None:
                        written = row[caller]
                        row[caller] = hash_caller(written) if written else ""
                    text = "\t".join(row)
                    if (
                        text.count("\t") == width - 1
                        and not _NEEDS_ESCAPE(text)
                        and plain(text)
                        and (row[answered] == "1" or not row[talk].strip("0"))
                    ):
                        pending.append(f"{line}\t{text}\n")
                        staged += 1
                        if len(pending) >= _COPY_CHUNK:
                            copy.write("".join(pending))
                            pending.clear()
                        continue
                    if caller is not None:
                        row[caller] = written
                parsed = parse(line, row, result)
                if parsed is not None:
                    text = "\t".join(_canonical(parsed, name) for name in columns)
                    pending.append(f"{line}\t{text}\n")
                    staged += 1
                    if len(pending) >= _COPY_CHUNK:
                        copy.write("".join(pending))
                        pending.clear()
            copy.write("".join(pending))
    return staged


def _import_staged(staged: int, result: ImportResult) -> None:
    """PostgreSQL: refuse ids repeated in the file, then insert the staged rows whose id is
    not stored yet (the unique index skips the others)."""
    table = connection.ops.quote_name(CallAttempt._meta.db_table)
    with connection.cursor() as cursor:
        # The later lines of an id that appears more than once and was not stored before
        # (a stored id is skipped however often the file repeats it).
        cursor.execute(
            f"""
            SELECT s.line, s.external_id, COUNT(*) OVER ()
            FROM {_STAGING} s
            JOIN (SELECT external_id, MIN(line) AS first_line FROM {_STAGING}
                  GROUP BY external_id HAVING COUNT(*) > 1) d
              ON d.external_id = s.external_id AND s.line > d.first_line
            WHERE NOT EXISTS (SELECT 1 FROM {table} a WHERE a.external_id = s.external_id)
            ORDER BY s.line LIMIT %s
            """,  # noqa: S608  # nosec B608 - table names from the model and a constant
            [MAX_PROBLEMS_KEPT],
        )
        repeated = cursor.fetchall()
        repeats = ImportResult()
        for line, external_id, _total in repeated:
            repeats.refuse(
                line,
                "external_id",
                _("%(value)r appears earlier in this file.") % {"value": external_id},
            )
        if repeated:
            repeats.problem_count = repeated[0][2]
        _merge_problems(result, repeats)
        if not result.ok:
            # Nothing is written; say how many rows would have been.
            cursor.execute(
                f"""
                SELECT COUNT(*) FILTER (WHERE a.id IS NOT NULL),
                       COUNT(DISTINCT s.external_id) FILTER (WHERE a.id IS NULL)
                FROM {_STAGING} s LEFT JOIN {table} a ON a.external_id = s.external_id
                """  # noqa: S608  # nosec B608
            )
            result.skipped, result.imported = cursor.fetchone()
            return
        now = timezone.now()
        cursor.execute(
            f"""
            INSERT INTO {table} (external_id, channel, started_at, wait_seconds, talk_seconds,
                                 answered, caller_hash, created_at, updated_at)
            SELECT external_id, channel, started_at::timestamptz, wait_seconds::integer,
                   talk_seconds::integer, answered = '1', COALESCE(caller_hash, ''), %s, %s
            FROM {_STAGING}  -- in file order: a log comes in time order, with growing ids
            ON CONFLICT (external_id) DO NOTHING
            """,  # noqa: S608  # nosec B608
            [now, now],
        )
        result.imported = cursor.rowcount
        result.skipped = staged - result.imported


def attempts_import(
    file, *, dry_run: bool = False, batch_size: int = 5000, row_by_row: bool = False
) -> ImportResult:
    """Import the attempt log from `file`, a text stream opened with newline="" (and
    encoding="utf-8-sig").

    One transaction: any problem, or a dry run, rolls everything back, so the figures never
    rest on half a file. Rows whose external_id was already stored are skipped and counted.
    `batch_size` applies to the row-by-row path on other databases than PostgreSQL;
    `row_by_row` checks every row in Python on PostgreSQL too (same result, ~5× slower).
    """
    result = ImportResult(dry_run=dry_run)
    started = time.monotonic()
    with transaction.atomic(durable=True):
        if connection.vendor == "postgresql":
            # Two imports at once would block each other on the unique index and then fail;
            # queued one after the other, the second simply skips what the first stored.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        records = _records(file, result)
        header = next(records, None)
        if header is None:
            if result.ok:
                result.refuse(1, None, _("The file is empty; expected a header row."))
        else:
            columns = _columns_from_header(header[1], result)
            if columns is not None and connection.vendor == "postgresql":
                staged = _stage_records(records, columns, result, row_by_row=row_by_row)
                _import_staged(staged, result)
                with connection.cursor() as cursor:
                    # ON COMMIT DROP alone would leave it to a surrounding transaction.
                    cursor.execute(f"DROP TABLE {_STAGING}")
            elif columns is not None:
                # Rows inserted by this import get higher ids: that is how the stored rows
                # of earlier imports are told apart from repeats within this file.
                last_old_id = CallAttempt.objects.aggregate(last=Max("id"))["last"] or 0
                _import_records(records, columns, last_old_id, batch_size, result)

        if dry_run or not result.ok:
            transaction.set_rollback(True)
    result.seconds = time.monotonic() - started
    return result
