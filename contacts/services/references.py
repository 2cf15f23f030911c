"""Human-readable references: contacts `2026-004217`, cases `D2026-00042`.

Numbers come from one counter row per kind and year, locked while a number is handed out.
A responder's save holds that lock for a moment (its own short transaction). An import
must not hold it for its whole run (all or nothing: one transaction of up to a minute), or
every responder saving a contact of that year waits for the import to end: so an import
takes its numbers with `detached=True`, in ranges, each in a short transaction of its own
on a separate connection, committed at once. The price is a gap: the numbers of an import
that fails (or of a dry run) are not handed out again. References are unique, never
reused, in order of allocation, but they were never promised to be gapless.
"""

import re

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import F
from django.db.models.functions import Greatest

from ..models import ReferenceCounter

Kind = ReferenceCounter.Kind

_FORMATS = {Kind.CONTACT: "{year}-{number:06d}", Kind.CASE: "D{year}-{number:05d}"}
_PATTERNS = {
    Kind.CONTACT: re.compile(r"^(?P<year>\d{4})-(?P<number>\d{6,})$"),
    Kind.CASE: re.compile(r"^D(?P<year>\d{4})-(?P<number>\d{5,})$"),
}


def reference_format(kind: str, year: int, number: int) -> str:
    return _FORMATS[kind].format(year=year, number=number)


def reference_parse(kind: str, reference: str) -> tuple[int, int] | None:
    """(year, number) of a reference in our own format, or None for a foreign one."""
    match = _PATTERNS[kind].match(reference)
    return (int(match["year"]), int(match["number"])) if match else None


def _detached_possible() -> bool:
    """A second connection commits on its own only on PostgreSQL (SQLite allows one writer
    at a time), and not inside a test that wraps everything in one transaction (it would
    wait for that transaction's uncommitted counter row)."""
    return connection.vendor == "postgresql" and not any(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def _detached_update(sql: str, params: list) -> int | None:
    """Run the counter's INSERT-if-missing and `sql` (an UPDATE ... RETURNING last_value) on
    a connection of its own, in autocommit: committed at once, whatever the caller's
    transaction does later."""
    own = connections.create_connection(DEFAULT_DB_ALIAS)
    table = own.ops.quote_name(ReferenceCounter._meta.db_table)
    try:
        with own.cursor() as cursor:
            # Only our own, quoted table name is formatted in; values are parameters.
            insert = (
                f"INSERT INTO {table} (kind, year, last_value) VALUES (%s, %s, 0) "  # noqa: S608  # nosec B608
                "ON CONFLICT (kind, year) DO NOTHING"
            )
            cursor.execute(insert, params[-2:])
            cursor.execute(sql.format(table=table), params)
            row = cursor.fetchone()
    finally:
        own.close()
    return row[0] if row else None


def reference_allocate(
    *, kind: str, year: int, count: int = 1, detached: bool = False
) -> list[str]:
    """Hand out `count` consecutive references of a year.

    The UPDATE takes a row lock held until the surrounding transaction ends, so concurrent
    callers are serialised and never receive the same number. `detached` (imports): in a
    transaction of its own, so the lock is held for a moment only (see the module docstring).
    """
    if detached and _detached_possible():
        last = _detached_update(
            "UPDATE {table} SET last_value = last_value + %s "
            "WHERE kind = %s AND year = %s RETURNING last_value",
            [count, kind, year],
        )
        return [reference_format(kind, year, n) for n in range(last - count + 1, last + 1)]
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(kind=kind, year=year)
        counter = ReferenceCounter.objects.filter(kind=kind, year=year)
        counter.update(last_value=F("last_value") + count)
        last = counter.values_list("last_value", flat=True).get()
    return [reference_format(kind, year, n) for n in range(last - count + 1, last + 1)]


def reference_counter_raise(*, kind: str, reference: str, detached: bool = False) -> None:
    """Make sure a reference taken from outside (an import) is never handed out again.
    `detached`: committed at once in a transaction of its own, as in reference_allocate."""
    parsed = reference_parse(kind, reference)
    if parsed is None:
        return
    year, number = parsed
    if detached and _detached_possible():
        _detached_update(
            "UPDATE {table} SET last_value = GREATEST(last_value, %s) "
            "WHERE kind = %s AND year = %s RETURNING last_value",
            [number, kind, year],
        )
        return
    with transaction.atomic():
        ReferenceCounter.objects.get_or_create(kind=kind, year=year)
        ReferenceCounter.objects.filter(kind=kind, year=year).update(
            last_value=Greatest(F("last_value"), number)
        )
