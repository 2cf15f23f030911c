"""The nightly rebuild of the aggregates: which days changed, and rebuilding them.

Rebuilding, not incrementing: a day's rows are computed from the raw rows
(reports/services/counting.py) and replace the previous ones; the rollup of its month is then
recomputed from the month's daily rows. All days of one month and that month's rollup are
replaced in ONE transaction, so a run that crashes halfway leaves every month either fully
rebuilt or as it was, and any number of runs give the same rows (idempotent).

Which days changed — three sources, because each one alone misses something:

1. High-water mark: rows whose `updated_at` (indexed, `auto_now`, also set by `bulk_create`,
   so CSV imports are caught) is at or after the start of the last successful nightly run,
   minus REPORTS_CHANGE_MARGIN_HOURS: a write committed after that run looked, but stamped
   before it started (a long import transaction, clock skew), is still seen. Their local
   day is dirty. Rebuilding a few days twice costs little; missing one costs a wrong report.
2. `DirtyDay` rows, for what leaves no row behind: a contact or attempt moved to another day
   (its old day) or deleted, and closures (they change past opening hours). They are written
   by signal receivers in reports/signals.py — bookkeeping only, in the same transaction as
   the write, with no business rule; the contacts services stay unaware of reports (apps
   import one way), and a receiver also sees writes through the admin.
3. A consistency check, the safety net for writes that bypass both (raw SQL, a queryset
   `.update()` of `started_at`): contacts and attempts counted per local day in SQL and
   compared with the aggregated daily totals; a day that differs is rebuilt.

Yesterday (local) is always rebuilt. Today is never aggregated: the figures count it live.
Two rebuilds never run at once: an `AggregateLock` row is claimed by a conditional UPDATE,
as a lease the running rebuild renews; a claim past its expiry (a killed worker) may be taken
over, and the killed run's row is then marked failed.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from contacts.models import CallAttempt, Contact
from reports.models import (
    AggregateLock,
    AggregateRun,
    DailyAttemptCount,
    DailyCount,
    Dimension,
    DirtyDay,
    MonthlyCount,
)
from staffing.services.opening_hours import OpeningSchedule
from staffing.services.time import BRUSSELS, dates_between, day_start, local_date

from .counting import range_count

logger = logging.getLogger(__name__)

LOCK_NAME = "aggregates"


class AggregatesBusy(Exception):
    """Another rebuild holds the lock."""


# --- rebuilding -------------------------------------------------------------------------


def _month_of(day: date) -> date:
    return day.replace(day=1)


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def _insert(model, columns: list[str], rows: list[tuple]) -> None:
    """COPY on PostgreSQL, multi-row INSERTs elsewhere: a model instance per row (bulk_create)
    costs more than the counting, a statement per row (executemany) a round trip each, and
    psycopg splits the text of a long multi-row INSERT in Python, statement after statement
    (reports/bench measured it at more than half of a month's rebuild; COPY has no SQL text
    per row)."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    if connection.vendor == "postgresql":
        # Table and column names come from the models; rows go as data, never as SQL.
        sql = f"COPY {table} ({column_list}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    max_params = connection.features.max_query_params or 65535
    batch = max(1, min(2000, max_params // len(columns)))
    one_row = "({})".format(", ".join(["%s"] * len(columns)))
    # Table and column names come from the models, values are parameters.
    head = f"INSERT INTO {table} ({column_list}) VALUES "  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        for first in range(0, len(rows), batch):
            chunk = rows[first : first + batch]
            sql = head + ", ".join([one_row] * len(chunk))
            cursor.execute(sql, [value for row in chunk for value in row])


def _runs_of(days: list[date]) -> list[list[date]]:
    """`days` as runs of consecutive days."""
    runs: list[list[date]] = []
    for day in sorted(days):
        if runs and runs[-1][-1] + timedelta(days=1) == day:
            runs[-1].append(day)
        else:
            runs.append([day])
    return runs


_DAILY_COLUMNS = ["day", "site_id", "channel", "dimension", "value", "contacts", "victims"]
_ATTEMPT_KEYS = ["day", "channel", "hour", "answered", "outside_hours", "likely_misdial"]
_ATTEMPT_VALUES = ["attempts", "wait_seconds_sum", "talk_seconds_sum"]


def _days_replace(days: list[date], schedule: OpeningSchedule, *, touched: bool = False):
    """Replace the daily rows of `days` (consecutive runs of days are counted in one pass).
    Returns the contact cells when `days` were one run counted with numpy (PostgreSQL).
    `touched`: note the keys of the daily contact rows changed (see _month_rollup)."""
    runs = _runs_of(days)
    cells = None
    for run in runs:
        if _merged_in_sql():
            cells = _run_merge(run[0], run[-1], schedule, touched=touched)
        else:
            _run_replace(run[0], run[-1], schedule)
    return cells if len(runs) == 1 else None


def _merged_in_sql() -> bool:
    """PostgreSQL: the new rows go to a temporary table (binary COPY from numpy) and only
    the differences reach the aggregate tables (see _merge). Elsewhere: delete and insert."""
    return connection.vendor == "postgresql"


def _run_replace(first: date, last: date, schedule: OpeningSchedule) -> None:
    start, end = day_start(first), day_start(last + timedelta(days=1))
    DailyCount.objects.filter(day__gte=first, day__lte=last).delete()
    DailyAttemptCount.objects.filter(day__gte=first, day__lte=last).delete()
    counts = range_count(start, end, schedule)
    _insert(DailyCount, _DAILY_COLUMNS, [(*key, *cell) for key, cell in counts.contacts.items()])
    _insert(
        DailyAttemptCount,
        _ATTEMPT_KEYS + _ATTEMPT_VALUES,
        [(*key, *cell) for key, cell in counts.attempts.items()],
    )


# The new rows of a run (and of a month's rollup) go to temporary tables of the connection
# as small integers (dropped after use, at the end of the transaction at the latest); the
# codes are turned back into strings by a join on arrays of them.
_CELL_TABLES = {
    "aggregates_cells": "day date, site_id bigint, channel smallint, label integer, "
    "contacts integer, victims integer",
    "aggregates_attempt_cells": "day date, channel smallint, hour smallint, "
    "answered boolean, outside_hours boolean, likely_misdial boolean, attempts integer, "
    "wait_seconds_sum bigint, talk_seconds_sum bigint",
    "aggregates_month_cells": "site_id bigint, channel smallint, label integer, "
    "contacts integer, victims integer",
}
_COPY_KINDS = {
    "day": "date",
    "site_id": "int8",
    "channel": "int2",
    "label": "int4",
    "contacts": "int4",
    "victims": "int4",
    "hour": "int2",
    "answered": "bool",
    "outside_hours": "bool",
    "likely_misdial": "bool",
    "attempts": "int4",
    "wait_seconds_sum": "int8",
    "talk_seconds_sum": "int8",
}
_CHANNEL_CODE = "JOIN unnest(%s::text[]) WITH ORDINALITY AS ch(code, i) ON ch.i = c.channel + 1 "
_LABEL_CODE = (
    "JOIN unnest(%s::text[], %s::text[]) WITH ORDINALITY AS l(dimension, value, i) "
    "ON l.i = c.label + 1"
)
_DAILY_NEW = (
    "SELECT c.day, c.site_id, ch.code AS channel, l.dimension, l.value, c.contacts, c.victims "  # noqa: S608  # nosec B608 - constant text
    f"FROM aggregates_cells c {_CHANNEL_CODE}{_LABEL_CODE}"
)
_ATTEMPTS_NEW = (
    "SELECT c.day, ch.code AS channel, c.hour, c.answered, c.outside_hours, c.likely_misdial, "  # noqa: S608  # nosec B608
    "c.attempts, c.wait_seconds_sum, c.talk_seconds_sum "
    f"FROM aggregates_attempt_cells c {_CHANNEL_CODE}"
)
_MONTH_NEW = (
    "SELECT c.site_id, ch.code AS channel, l.dimension, l.value, c.contacts, c.victims "  # noqa: S608  # nosec B608
    f"FROM aggregates_month_cells c {_CHANNEL_CODE}{_LABEL_CODE}"
)


def _cells_copy(cursor, table: str, columns: dict) -> None:
    from .tally import copy_columns

    cursor.execute(f"CREATE TEMPORARY TABLE {table} ({_CELL_TABLES[table]}) ON COMMIT DROP")
    copy_columns(
        cursor.cursor,
        table,
        [(name, _COPY_KINDS[name], values) for name, values in columns.items()],
    )


def _label_arrays(labels: list[tuple[str, str]]) -> list[list[str]]:
    return [[dimension for dimension, _value in labels], [value for _dimension, value in labels]]


def _run_merge(first: date, last: date, schedule: OpeningSchedule, *, touched: bool = False):
    """Count the days `first` to `last` and merge their rows; returns the contact cells."""
    from meldpunt.channels import Channel

    from .tally import attempts_cells, contacts_cells

    start, end = day_start(first), day_start(last + timedelta(days=1))
    channels = list(Channel.values)
    cells = contacts_cells(start, end, schedule)
    attempts = attempts_cells(start, end, schedule)
    in_run = ("d.day BETWEEN %s AND %s", [first, last])
    with connection.cursor() as cursor:
        _cells_copy(cursor, "aggregates_cells", cells.rows())
        _merge(
            cursor,
            DailyCount,
            (_DAILY_NEW, [channels, *_label_arrays(cells.labels)]),
            _DAILY_COLUMNS[:5],
            ["contacts", "victims"],
            in_run,
            drop=("aggregates_cells",),
            touched=_MONTHLY_KEYS if touched else (),
        )
        _cells_copy(cursor, "aggregates_attempt_cells", attempts.rows())
        _merge(
            cursor,
            DailyAttemptCount,
            (_ATTEMPTS_NEW, [channels]),
            _ATTEMPT_KEYS,
            _ATTEMPT_VALUES,
            in_run,
            drop=("aggregates_attempt_cells",),
        )
    return cells


def _merge(
    cursor,
    model,
    new: tuple[str, list],
    keys: list[str],
    values: list[str],
    scope: tuple[str, list],
    fixed: dict | None = None,
    drop: tuple[str, ...] = (),
    touched: tuple[str, ...] = (),
) -> None:
    """Make the rows of `model` within `scope` (a condition on its alias d, and its
    parameters) those of the query `new` (its SQL and parameters): delete the rows it
    lacks, update those whose `values` differ, insert those it adds. A rebuild that
    changes little writes little: a row written costs its four index entries and a
    foreign key check, most of a rebuild's time when every row was deleted and inserted
    again. `fixed`: columns of `model` the same for every row (the month of a rollup).

    The differences are found in one hash full join (the keys are strings: sorting them
    for a merge join cost more than the join; see _month_rebuild), then applied by id.
    `drop`: temporary tables to drop once merged. `touched`: columns of the keys of the
    rows changed (before and after) to add to the temporary table aggregates_touched."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    condition, params = scope
    new_sql, new_params = new
    match = " AND ".join(f"d.{quote(key)} = n.{quote(key)}" for key in keys)
    changed = " OR ".join(f"d.{quote(value)} <> n.{quote(value)}" for value in values)
    new_columns = ", ".join(f"n.{quote(column)}" for column in [*keys, *values])
    fixed = fixed or {}
    columns = ", ".join(quote(column) for column in [*fixed, *keys, *values])
    selected = ", ".join(["%s"] * len(fixed) + [quote(c) for c in [*keys, *values]])
    assign = ", ".join(f"{quote(value)} = x.{quote(value)}" for value in values)
    present = f"x.{quote(keys[0])} IS NOT NULL"
    # Table and column names come from the models and this module; values are parameters.
    # One round trip (client-side parameters allow several statements): a day's rebuild
    # was mostly waiting for the answers of some fifty statements on a busy machine.
    cursor.execute(
        "CREATE TEMPORARY TABLE aggregates_diff ON COMMIT DROP AS "  # noqa: S608  # nosec B608
        f"SELECT d.id AS old_id, {new_columns} "
        f"FROM (SELECT * FROM {table} d WHERE {condition}) d FULL JOIN ({new_sql}) n "
        f"ON {match} WHERE d.id IS NULL OR n.{quote(keys[0])} IS NULL OR {changed}; "
        f"{_touched_sql(table, touched)}"
        f"DELETE FROM {table} d USING aggregates_diff x "
        f"WHERE d.id = x.old_id AND NOT {present}; "
        f"UPDATE {table} d SET {assign} FROM aggregates_diff x "
        f"WHERE d.id = x.old_id AND {present}; "
        f"INSERT INTO {table} ({columns}) SELECT {selected} "
        "FROM aggregates_diff x WHERE x.old_id IS NULL; "
        f"DROP TABLE aggregates_diff{''.join(', ' + t for t in drop)}",
        [*params, *new_params, *fixed.values()],
    )


def _touched_sql(table: str, columns: tuple[str, ...]) -> str:
    """Note the keys (`columns`) of the rows in aggregates_diff, new and old."""
    if not columns:
        return ""
    quote = connection.ops.quote_name
    listed = ", ".join(quote(column) for column in columns)
    old = ", ".join(f"d.{quote(column)}" for column in columns)
    # Table and column names come from the models and this module.
    return (
        f"INSERT INTO aggregates_touched ({listed}) "  # noqa: S608  # nosec B608
        f"SELECT {listed} FROM aggregates_diff WHERE {quote(columns[0])} IS NOT NULL "
        f"UNION SELECT {old} FROM {table} d JOIN aggregates_diff x ON d.id = x.old_id; "
    )


_ROLLUP_SQL = (
    "INSERT INTO {monthly} ({month}, {keys}, {contacts}, {victims}) "
    "SELECT %s, {keys}, SUM({contacts}), SUM({victims}) FROM {daily} "
    "WHERE {day} >= %s AND {day} < %s AND {dimension} <> %s GROUP BY {keys}"
)
_MONTHLY_SUMS = (
    "SELECT {keys}, SUM({contacts}) AS contacts, SUM({victims}) AS victims FROM {daily} "
    "WHERE {day} >= %s AND {day} < %s AND {dimension} <> %s "
    "AND ({keys}) IN (SELECT {keys} FROM aggregates_touched) GROUP BY {keys}"
)
_TOUCHED = "({outer}) IN (SELECT {keys} FROM aggregates_touched)"
_MONTHLY_KEYS = ("site_id", "channel", "dimension", "value")
_d_keys = ", ".join(f"d.{key}" for key in _MONTHLY_KEYS)


def _month_rollup(month: date, cells=None) -> None:
    """Replace the monthly rows of `month` by the sums of its daily rows. The hour of day is
    left out: only per-day questions (trial openings) need it. `cells`: the contact cells
    of every day of the month, just written (PostgreSQL): summed with numpy instead of
    reading the daily rows back. Without them on PostgreSQL, only the monthly rows of the
    keys whose daily rows the merges changed (aggregates_touched) are summed again: the
    others' daily rows are as they were. A day's rebuild that changes nothing then reads
    no daily row back (it summed the whole month's: most of its time)."""
    quote = connection.ops.quote_name
    names = {
        "monthly": quote(MonthlyCount._meta.db_table),
        "daily": quote(DailyCount._meta.db_table),
        "keys": ", ".join(quote(c) for c in _MONTHLY_KEYS),
        **{name: quote(name) for name in ("month", "day", "dimension", "contacts", "victims")},
    }
    params = [month, _next_month(month), Dimension.HOUR.value]
    if _merged_in_sql():
        from meldpunt.channels import Channel

        with connection.cursor() as cursor:
            if cells is not None:
                _cells_copy(
                    cursor, "aggregates_month_cells", cells.month_rows(Dimension.HOUR.value)
                )
                new = (_MONTH_NEW, [list(Channel.values), *_label_arrays(cells.labels)])
                scope = ("d.month = %s", [month])
            else:
                # Table and column names come from the models, values are parameters.
                new = (_MONTHLY_SUMS.format(**names), params)  # nosec B608
                touched = _TOUCHED.format(outer=_d_keys, keys=names["keys"])
                scope = ("d.month = %s AND " + touched, [month])
            _merge(
                cursor,
                MonthlyCount,
                new,
                list(_MONTHLY_KEYS),
                ["contacts", "victims"],
                scope,
                fixed={"month": month},
                drop=("aggregates_month_cells",) if cells is not None else (),
            )
        return
    MonthlyCount.objects.filter(month=month).delete()
    # Table and column names come from the models, values are parameters.
    sql = _ROLLUP_SQL.format(**names)  # nosec B608
    with connection.cursor() as cursor:
        cursor.execute(sql, [month, *params])


# Months rebuilt side by side on PostgreSQL, each on its own connection and in its own
# transaction: while one month's rows are read or written by PostgreSQL, the other's are
# tallied in Python (numpy), so both cores work.
REBUILD_CONNECTIONS = 2

# Called after each month with (days done, days in all); see aggregates_rebuild_range.
_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar(
    "aggregates_progress", default=None
)


# PostgreSQL's plans for a month's statements, for its transaction only (SET LOCAL; RESET
# at the end in case that transaction is a caller's, which goes on): the rows of a range as
# a bitmap scan, reading each page once (the planner prefers the index scan, started_at
# following the ids: a third slower); the full joins of _merge by hash (a merge join sorts
# the string keys, slower than the join itself).
# And the keys the merges of a month changed (see _month_rollup).
_PLANS = (
    "SET LOCAL enable_indexscan = off; SET LOCAL enable_mergejoin = off; "
    "CREATE TEMPORARY TABLE aggregates_touched (site_id bigint, channel text, "
    "dimension text, value text) ON COMMIT DROP"
)
_PLANS_RESET = "RESET enable_indexscan; RESET enable_mergejoin; DROP TABLE aggregates_touched"


def _month_rebuild(month: date, days: list[date], schedule: OpeningSchedule) -> None:
    with transaction.atomic():
        if _merged_in_sql():
            with connection.cursor() as cursor:
                cursor.execute(_PLANS)
        whole = len(days) == (_next_month(month) - month).days
        cells = _days_replace(days, schedule, touched=not whole)
        if cells is not None and whole:
            _month_rollup(month, cells)  # every day of the month: its sums from the cells
        else:
            _month_rollup(month)
        if _merged_in_sql():
            with connection.cursor() as cursor:
                cursor.execute(_PLANS_RESET)


def _months_rebuild_on_own_connection(next_month, done: queue.SimpleQueue, schedule) -> None:
    """A worker: rebuild months taken from `next_month()` (None: no more) on this thread's
    own connection, kept open from month to month (a connection per month cost its set-up
    and PostgreSQL's cold catalog caches each time), reporting each month's outcome."""
    try:
        while (item := next_month()) is not None:
            month, days = item
            try:
                _month_rebuild(month, days, schedule)
            except BaseException as exc:  # reported: the caller waits for every month
                connection.close()  # the next month on a fresh connection
                done.put((days, exc))
            else:
                done.put((days, None))
    finally:
        connection.close()  # this worker thread's connection


def aggregates_rebuild(
    days: Iterable[date],
    *,
    schedule: OpeningSchedule | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Rebuild the daily rows of `days` and the monthly rollup of their months.

    One transaction per month (its days and its rollup); returns the number of days rebuilt.
    Does not take the lock: callers that may run concurrently use the run functions below.
    `progress(days_done, days_total)` is called after each month.
    """
    schedule = schedule or OpeningSchedule.load()
    progress = progress or _progress.get()
    per_month: dict[date, list[date]] = defaultdict(list)
    for day in set(days):
        per_month[_month_of(day)].append(day)
    total = sum(len(month_days) for month_days in per_month.values())
    done = 0
    months = sorted(per_month)
    # Inside an outer transaction (a test, a caller's atomic block) other connections would
    # not see its rows: then one month after the other on this connection. SQLite has one
    # writer at a time anyway.
    side_by_side = (
        connection.vendor == "postgresql" and len(months) > 1 and not connection.in_atomic_block
    )
    if side_by_side:
        # Every month is attempted even when one fails; the first failure is raised then.
        pending = iter([(month, per_month[month]) for month in months])
        taking = threading.Lock()

        def next_month():
            with taking:
                return next(pending, None)

        outcomes: queue.SimpleQueue = queue.SimpleQueue()
        failure = None
        workers = min(REBUILD_CONNECTIONS, len(months))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _worker in range(workers):
                pool.submit(_months_rebuild_on_own_connection, next_month, outcomes, schedule)
            for _month in months:
                month_days, exc = outcomes.get()
                if exc is not None:
                    failure = failure or exc
                    continue
                done += len(month_days)
                if progress and failure is None:
                    progress(done, total)
        if failure is not None:
            raise failure
        return total
    for month in months:
        _month_rebuild(month, per_month[month], schedule)
        done += len(per_month[month])
        if progress:
            progress(done, total)
    return total


def aggregates_rebuild_day(day: date, *, schedule: OpeningSchedule | None = None) -> None:
    """Rebuild one local day's rows and its month's rollup, in one transaction."""
    aggregates_rebuild([day], schedule=schedule)


# --- which days changed -----------------------------------------------------------------


def _local_days(queryset) -> set[date]:
    return set(
        queryset.annotate(local_day=TruncDate("started_at", tzinfo=BRUSSELS))
        .order_by()
        .values_list("local_day", flat=True)
        .distinct()
    )


def days_changed_since(since: datetime | None) -> set[date]:
    """Local days of the contacts and attempts updated at or after `since` (None: all)."""
    contacts, attempts = Contact.objects.all(), CallAttempt.objects.all()
    if since is not None:
        contacts = contacts.filter(updated_at__gte=since)
        attempts = attempts.filter(updated_at__gte=since)
    return _local_days(contacts) | _local_days(attempts)


def days_out_of_step(until: date) -> set[date]:
    """Days up to `until` whose contacts or attempts per local day differ from the aggregated
    daily totals (the safety net for writes that left no trace)."""
    end = day_start(until + timedelta(days=1))

    def per_day(queryset) -> dict[date, int]:
        return dict(
            queryset.filter(started_at__lt=end)
            .annotate(local_day=TruncDate("started_at", tzinfo=BRUSSELS))
            .order_by()
            .values("local_day")
            .annotate(n=Count("id"))
            .values_list("local_day", "n")
        )

    def aggregated(queryset, field: str) -> dict[date, int]:
        return dict(
            queryset.filter(day__lte=until)
            .order_by()
            .values("day")
            .annotate(n=Sum(field))
            .values_list("day", "n")
        )

    raw_contacts = per_day(Contact.objects.all())
    built_contacts = aggregated(DailyCount.objects.filter(dimension=Dimension.TOTAL), "contacts")
    raw_attempts = per_day(CallAttempt.objects.all())
    built_attempts = aggregated(DailyAttemptCount.objects.all(), "attempts")
    out = set()
    for raw, built in ((raw_contacts, built_contacts), (raw_attempts, built_attempts)):
        out |= {day for day in raw.keys() | built.keys() if raw.get(day, 0) != built.get(day, 0)}
    return out


# --- the lock ---------------------------------------------------------------------------
# A lease: claimed for REPORTS_LOCK_LEASE_SECONDS and renewed every third of that by the
# run holding it (`_LeaseKeeper`), so it expires within a minute of a crash (kill -9, a lost
# machine) instead of blocking the next run for hours.


def _lease() -> timedelta:
    return timedelta(seconds=settings.REPORTS_LOCK_LEASE_SECONDS)


def aggregates_lock_claim(*, now: datetime | None = None) -> str | None:
    """Claim the rebuild lock; returns the claim's token, or None while another holds it."""
    now = now or timezone.now()
    AggregateLock.objects.get_or_create(name=LOCK_NAME)
    token = uuid.uuid4().hex
    # Conditional UPDATE: of two runs racing here, the database lets exactly one match.
    claimed = AggregateLock.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__lte=now), name=LOCK_NAME
    ).update(holder=token, claimed_at=now, expires_at=now + _lease())
    return token if claimed else None


def aggregates_lock_renew(token: str) -> bool:
    """Extend the lease of the claim `token`; False when it is no longer ours (it expired and
    another run took it over)."""
    return bool(
        AggregateLock.objects.filter(name=LOCK_NAME, holder=token).update(
            expires_at=timezone.now() + _lease()
        )
    )


def aggregates_lock_break() -> bool:
    """Free the lock whoever holds it (`aggregates_rebuild --force`, for an operator who knows
    the holder is gone). A holder that is still alive loses its lease at the next renewal
    and its run ends as failed. True when there was a claim to break."""
    return bool(
        AggregateLock.objects.filter(name=LOCK_NAME)
        .exclude(holder="")
        .update(holder="", claimed_at=None, expires_at=None)
    )


def aggregates_lock_release(token: str) -> None:
    AggregateLock.objects.filter(name=LOCK_NAME, holder=token).update(
        holder="", claimed_at=None, expires_at=None
    )


class _LeaseKeeper(threading.Thread):
    """Renews a claim every third of the lease while a run works, on its own database
    connection (the run's transactions must not hold the renewal back)."""

    def __init__(self, token: str):
        super().__init__(name="aggregates-lease", daemon=True)
        self.token = token
        self.lost = False
        self._stop_event = threading.Event()

    def run(self):
        try:
            while not self._stop_event.wait(settings.REPORTS_LOCK_LEASE_SECONDS / 3):
                if not aggregates_lock_renew(self.token):
                    self.lost = True
                    logger.error("Aggregate rebuild lost its lock; another run may have started.")
                    return
        finally:
            connection.close()

    def stop(self):
        self._stop_event.set()
        self.join()


# --- runs -------------------------------------------------------------------------------


def last_successful_run(kind: str | None = None) -> AggregateRun | None:
    runs = AggregateRun.objects.filter(status=AggregateRun.Status.SUCCEEDED)
    if kind:
        runs = runs.filter(kind=kind)
    return runs.order_by("-started_at", "-id").first()


def aggregated_through() -> date | None:
    """The last local day every aggregate is built for; later days are counted live."""
    run = (
        AggregateRun.objects.filter(
            status=AggregateRun.Status.SUCCEEDED, complete_through__isnull=False
        )
        .order_by("-complete_through")
        .first()
    )
    return run.complete_through if run else None


def _runs_of_dead_workers_fail(now: datetime) -> None:
    """Runs still "running" when a new run holds the lock were killed (the lease expired):
    they show as failed, not as running forever."""
    dead = AggregateRun.objects.filter(status=AggregateRun.Status.RUNNING).update(
        status=AggregateRun.Status.FAILED,
        finished_at=now,
        error="Stopped without finishing (worker killed or lost); its lock expired.",
    )
    if dead:
        logger.warning("Aggregates: %s run(s) of a stopped worker marked failed", dead)


def _run(kind: str, now: datetime, choose_days) -> AggregateRun:
    """Claim the lock, record a run, rebuild the days `choose_days(run)` returns."""
    token = aggregates_lock_claim(now=now)
    if token is None:
        raise AggregatesBusy("Another aggregate rebuild is running.")
    _runs_of_dead_workers_fail(now)
    run = AggregateRun(kind=kind, status=AggregateRun.Status.RUNNING, started_at=now)
    keeper = _LeaseKeeper(token)
    try:
        run.save()
        keeper.start()
        days, after_success = choose_days(run)
        run.days_rebuilt = aggregates_rebuild(days)
        if days:
            run.first_day, run.last_day = min(days), max(days)
        after_success()
        keeper.stop()
        if keeper.lost:
            raise AggregatesBusy("The rebuild lost its lock to another run before it finished.")
        run.status = AggregateRun.Status.SUCCEEDED
    except Exception as exc:
        run.status = AggregateRun.Status.FAILED
        run.error = repr(exc)[:2000]
        raise
    finally:
        if keeper.is_alive():
            keeper.stop()
        run.finished_at = timezone.now()
        run.save()
        aggregates_lock_release(token)
    logger.info(
        "Aggregates rebuilt: %s days (%s to %s)", run.days_rebuilt, run.first_day, run.last_day
    )
    return run


def aggregates_rebuild_changed(
    *, now: datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> AggregateRun:
    """The nightly run: rebuild yesterday and every earlier day that changed since the last
    successful nightly run (see the module docstring). Raises AggregatesBusy while another
    rebuild runs. `progress` as for aggregates_rebuild_range."""
    token = _progress.set(progress)
    try:
        return _rebuild_changed(now=now)
    finally:
        _progress.reset(token)


def _rebuild_changed(*, now: datetime | None) -> AggregateRun:
    now = now or timezone.now()
    yesterday = local_date(now) - timedelta(days=1)

    def choose_days(run: AggregateRun):
        previous = last_successful_run(AggregateRun.Kind.CHANGED)
        since = None
        if previous is not None:
            since = previous.started_at - timedelta(hours=settings.REPORTS_CHANGE_MARGIN_HOURS)
        run.changes_since = since
        run.complete_through = yesterday
        dirty = list(DirtyDay.objects.filter(day__lte=yesterday).values_list("id", "day"))
        days = {yesterday} | days_changed_since(since) | {day for _id, day in dirty}
        days = {day for day in days if day <= yesterday}
        # The consistency check compares with the rows as they will be after this rebuild,
        # so it runs after it: a second pass rebuilds what it finds.
        return sorted(days), lambda: _after_changed(run, dirty, yesterday)

    return _run(AggregateRun.Kind.CHANGED, now, choose_days)


def _after_changed(run: AggregateRun, dirty: list[tuple[int, date]], yesterday: date) -> None:
    DirtyDay.objects.filter(id__in=[dirty_id for dirty_id, _day in dirty]).delete()
    out_of_step = days_out_of_step(yesterday)
    if out_of_step:
        logger.warning("Aggregates out of step with the register on %s days", len(out_of_step))
        run.days_rebuilt += aggregates_rebuild(out_of_step)
        run.first_day = min(run.first_day or yesterday, *out_of_step)


def aggregates_rebuild_range(
    first_day: date,
    last_day: date,
    *,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> AggregateRun:
    """Rebuild every day from `first_day` to `last_day` (both included). Days from today on
    are left to the live count. Raises AggregatesBusy while another rebuild runs.
    `progress(days_done, days_total)` is called after each month."""
    token = _progress.set(progress)
    try:
        return _rebuild_range(first_day, last_day, now=now)
    finally:
        _progress.reset(token)


def _rebuild_range(first_day: date, last_day: date, *, now: datetime | None) -> AggregateRun:
    now = now or timezone.now()
    yesterday = local_date(now) - timedelta(days=1)

    def choose_days(run: AggregateRun):
        last = min(last_day, yesterday)
        days = list(dates_between(first_day, last)) if first_day <= last else []
        # The range makes the aggregates complete through its end only if it joins the
        # complete part, or starts before the first contact or attempt.
        through = aggregated_through()
        if days and (
            (through is not None and first_day <= through + timedelta(days=1))
            or first_day <= _first_data_day(default=first_day)
        ):
            run.complete_through = max(last, through) if through else last
        return days, lambda: None

    return _run(AggregateRun.Kind.RANGE, now, choose_days)


def _first_data_day(*, default: date) -> date:
    firsts = [
        model.objects.order_by("started_at").values_list("started_at", flat=True).first()
        for model in (Contact, CallAttempt)
    ]
    firsts = [local_date(first) for first in firsts if first is not None]
    return min(firsts, default=default)
