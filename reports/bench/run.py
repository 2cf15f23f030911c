"""The measurements of `python -m reports.bench` (see __init__.py); Django is set up."""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

YEAR = 2025
# "Now" for the figures: after the year, so nothing of it is counted live.
AFTER_YEAR = datetime(YEAR + 1, 1, 2, 12, tzinfo=UTC)
FINAL_KEYS = (
    "contacts",
    "rebuild_s",
    "day_rebuild_s",
    "report_s",
    "naive_s",
    "duckdb_s",
    "report_peak_rss_mb",
    "rebuild_vs_duckdb",
    "day_vs_rebuild",
)
# Smaller years generated and rebuilt first (then removed): does the rebuild grow linearly?
SCALING_CONTACTS = (100_000, 300_000)


def say(text: str) -> None:
    print(f"[{datetime.now(UTC):%H:%M:%S}Z] {text}", flush=True)


def _load() -> str:
    try:
        one, five, _fifteen = os.getloadavg()
    except OSError:  # pragma: no cover
        return "load n/a"
    return f"load {one:.2f}/{five:.2f} on {os.cpu_count()} CPUs"


def timed(function, runs: int, *, once_above: float | None = None):
    """Median wall time of `runs` calls; also every time and the last result. A first call
    slower than `once_above` seconds is not repeated (its time is the figure)."""
    times, result = [], None
    for _run in range(runs):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
        if once_above is not None and times[0] > once_above:
            break
    return statistics.median(times), times, result


def _fmt(times: list[float]) -> str:
    return ", ".join(f"{t:.3f}" for t in times)


def report_json(year: int = YEAR) -> str:
    from reports.services.figures import annual_figures

    return json.dumps(annual_figures(year, now=AFTER_YEAR))


def report_rss_main() -> None:
    """In a fresh process (Django set up, nothing else): produce the report once and print
    the peak resident set size in MB of the whole process — Python, Django and the report
    together."""
    report_json()
    print(json.dumps({"peak_rss_mb": peak_rss_mb()}))


def peak_rss_mb() -> float:
    """This process's peak RSS: VmHWM, which starts afresh at exec (ru_maxrss would carry the
    parent's peak over a fork and exec on Linux); ru_maxrss where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:  # pragma: no cover
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _report_rss(env: dict) -> tuple[float, float]:
    """Peak RSS of a process that produces the report, and of one that only sets up Django."""
    peaks = []
    for mode in ("--report-rss", "--baseline-rss"):
        # Our own module with fixed arguments.
        done = subprocess.run(  # noqa: S603  # nosec B603
            [sys.executable, "-m", "reports.bench", mode],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        peaks.append(json.loads(done.stdout.strip().splitlines()[-1])["peak_rss_mb"])
    return peaks[0], peaks[1]


def _counted() -> dict[str, int]:
    from contacts.models import CallAttempt, Contact, Victim

    return {
        "contacts": Contact.objects.count(),
        "victims": Victim.objects.count(),
        "forms": Contact.forms_of_violence.through.objects.count(),
        "attempts": CallAttempt.objects.count(),
    }


def _busy_weekday(year: int) -> date:
    from django.db.models import Sum

    from reports.models import DailyCount, Dimension

    busiest = (
        DailyCount.objects.filter(
            dimension=Dimension.TOTAL, day__year=year, day__week_day__in=[2, 3, 4, 5, 6]
        )
        .values("day")
        .annotate(n=Sum("contacts"))
        .order_by("-n", "day")
        .first()
    )
    return busiest["day"]


def _strip(figures: dict) -> dict:
    return json.loads(json.dumps(figures))


def _differences(left: dict, right: dict, path: str = "") -> list[str]:
    out = []
    for key in sorted(set(left) | set(right), key=str):
        a, b = left.get(key), right.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            out += _differences(a, b, f"{path}{key}.")
        elif a != b:
            out.append(f"{path}{key}: {a!r} != {b!r}")
    return out


def _register_empty() -> None:
    """Remove every generated row and aggregate (the bench database's own data)."""
    from django.db import connection

    from contacts.models import CallAttempt, Contact, Victim
    from reports.models import AggregateRun, DailyAttemptCount, DailyCount, MonthlyCount

    models = [
        Contact.forms_of_violence.through,
        Victim,
        CallAttempt,
        Contact,
        DailyCount,
        MonthlyCount,
        DailyAttemptCount,
        AggregateRun,
    ]
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        # Checks Django defers to the end of a surrounding transaction (a test) first:
        # TRUNCATE refuses a table with pending ones.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def _scaling(sizes, seed: int, runs: int = 1, cold: dict | None = None) -> dict[str, float]:
    """Full-year rebuild time of generated years of `sizes` contacts, one after the other:
    the median of `runs` rebuilds, as for the largest size. The first rebuild of each size
    writes into empty aggregates (every row inserted), the next ones over their own rows
    (only differences written): its time also goes to `cold`."""
    from reports.bench.generate import rows_load, sites_ensure, year_generate
    from reports.services.aggregates import aggregates_rebuild_range

    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    times = {}
    for size in sizes:
        _register_empty()
        rows_load(year_generate(YEAR, size, sites_ensure(), seed=seed))
        seconds, each, _run = timed(
            lambda: aggregates_rebuild_range(first, last, now=AFTER_YEAR), runs
        )
        times[str(size)] = round(seconds, 3)
        if cold is not None:
            cold[str(size)] = round(each[0], 3)
        say(f"scaling: full rebuild at {size} contacts: {_fmt(each)} s; {_load()}")
    _register_empty()
    return times


def _per_contact(scaling: dict[str, float]) -> dict[str, float]:
    """Seconds per contact of each size relative to the smallest: <= 1 is linear or better."""
    sizes = sorted(scaling, key=int)
    per_contact = {size: scaling[size] / int(size) for size in sizes}
    return {size: round(per_contact[size] / per_contact[sizes[0]], 2) for size in sizes}


def bench(contacts: int, runs: int, seed: int, env: dict, *, reuse: bool = False) -> dict:
    from django.db import connection

    from reports.bench.columnar import duckdb_figures, rows_export
    from reports.bench.generate import rows_load, sites_ensure, year_generate
    from reports.services.aggregates import aggregates_rebuild_day, aggregates_rebuild_range
    from reports.services.figures import annual_figures, annual_figures_direct

    extra: dict = {}
    say(f"machine: {_load()}; database {connection.settings_dict['NAME']}")

    scaling: dict[str, float] = {}
    cold: dict[str, float] = {}
    if not reuse:
        sizes = [size for size in SCALING_CONTACTS if size < contacts]
        scaling = _scaling(sizes, seed, runs, cold)
    started = time.perf_counter()
    if reuse:
        from reports.models import AggregateLock

        # A run stopped halfway leaves its claim behind (this database is the bench's own).
        AggregateLock.objects.update(holder="", claimed_at=None, expires_at=None)
        loaded = _counted()
        contacts = loaded["contacts"]
    else:
        loaded = rows_load(year_generate(YEAR, contacts, sites_ensure(), seed=seed))
    extra["generate_s"] = None if reuse else round(time.perf_counter() - started, 2)
    extra.update(victims=loaded["victims"], forms=loaded["forms"], attempts=loaded["attempts"])
    say(
        ("reusing the database's" if reuse else "generated and loaded (Python rows, COPY, ANALYZE)")
        + f" {loaded['contacts']} contacts, "
        f"{loaded['victims']} victims, {loaded['forms']} forms of violence, "
        f"{loaded['attempts']} attempts in {extra['generate_s']} s; {_load()}"
    )

    from reports.models import DailyCount

    first, last = date(YEAR, 1, 1), date(YEAR, 12, 31)
    # The first rebuild of a generated year inserts every row (empty aggregates); the next
    # ones write only what differs from the rows there (the usual case: a rebuild after a
    # change of opening hours or taxonomy replaces rows mostly equal). The figure is the
    # median; the first run's time is kept apart.
    into_empty = not DailyCount.objects.exists()
    # At a million contacts on a busy machine one rebuild takes minutes: then it runs once.
    rebuild_s, times, _run = timed(
        lambda: aggregates_rebuild_range(first, last, now=AFTER_YEAR), runs, once_above=120
    )
    say(
        f"full rebuild of {YEAR} (aggregates_rebuild_range, 365 days): {_fmt(times)} s "
        f"(the first {'into empty aggregates' if into_empty else 'over existing rows'}); "
        f"{_load()}"
    )
    extra["rebuild_runs_s"] = [round(t, 3) for t in times]
    extra["rebuild_first_into_empty"] = into_empty
    scaling[str(contacts)] = round(rebuild_s, 3)
    if into_empty:
        cold[str(contacts)] = round(times[0], 3)
    extra["rebuild_scaling_s"] = scaling
    extra["rebuild_scaling_into_empty_s"] = cold
    if len(scaling) > 1:
        extra["rebuild_per_contact_vs_smallest"] = _per_contact(scaling)
        say(
            f"scaling: {scaling} s; per contact vs {min(scaling, key=int)}: "
            f"{extra['rebuild_per_contact_vs_smallest']}"
        )
    else:
        say("scaling: not measured (--reuse, or --contacts at most the smallest size)")
    if len(cold) > 1:
        extra["rebuild_into_empty_per_contact_vs_smallest"] = _per_contact(cold)
        say(
            f"scaling into empty aggregates: {cold} s; per contact: "
            f"{extra['rebuild_into_empty_per_contact_vs_smallest']}"
        )

    day = _busy_weekday(YEAR)
    day_rebuild_s, times, _none = timed(lambda: aggregates_rebuild_day(day), max(runs, 5))
    say(f"one-day rebuild of {day} ({day:%A}): {_fmt(times)} s")

    report_json()  # warm-up: the first query of a process pays for the connection
    report_s, times, text = timed(report_json, runs)
    say(f"annual JSON from the aggregates: {_fmt(times)} s ({len(text)} bytes)")
    from_aggregates = annual_figures(YEAR, now=AFTER_YEAR)

    started = time.perf_counter()
    direct = annual_figures_direct(YEAR)
    naive_times = [time.perf_counter() - started]
    if naive_times[0] < 30 and runs > 1:
        more, times, _x = timed(lambda: annual_figures_direct(YEAR), runs - 1)
        naive_times += times
    naive_s = statistics.median(naive_times)
    say(f"naive ORM over the raw rows (annual_figures_direct): {_fmt(naive_times)} s; {_load()}")
    diff = _differences(_strip(from_aggregates), _strip(direct))
    say("aggregates == direct: " + ("yes" if not diff else f"NO: {diff[:10]}"))
    extra["aggregates_equal_direct"] = not diff

    with tempfile.TemporaryDirectory(prefix="meldpunt-bench-") as directory:
        started = time.perf_counter()
        paths = rows_export(Path(directory))
        extra["export_s"] = round(time.perf_counter() - started, 2)
        size = sum(p.stat().st_size for p in paths.values()) / 1_048_576
        say(
            f"exported to Parquet (COPY TO STDOUT, CSV, DuckDB) in {extra['export_s']} s, "
            f"{size:.1f} MB"
        )
        duckdb_s, times, columnar = timed(lambda: duckdb_figures(paths, YEAR), runs)
        say(f"DuckDB over Parquet, every key: {_fmt(times)} s; {_load()}")
    diff = _differences(_strip(from_aggregates), _strip(columnar))
    say("DuckDB == annual_figures: " + ("yes, every key" if not diff else f"NO: {diff[:10]}"))
    extra["duckdb_equal_report"] = not diff

    peak, baseline = _report_rss(env)
    say(
        f"peak RSS of a fresh process producing the report: {peak:.1f} MB "
        f"(one that only sets up Django: {baseline:.1f} MB)"
    )
    extra["report_rss_baseline_mb"] = round(baseline, 1)
    extra["runs"] = runs
    extra["load_end"] = _load()

    result = {
        "contacts": contacts,
        "rebuild_s": round(rebuild_s, 3),
        "day_rebuild_s": round(day_rebuild_s, 4),
        "report_s": round(report_s, 4),
        "naive_s": round(naive_s, 3),
        "duckdb_s": round(duckdb_s, 4),
        "report_peak_rss_mb": round(peak, 1),
        # The targets of issue 12, as ratios measured in this same run.
        "rebuild_vs_duckdb": round(rebuild_s / duckdb_s, 2) if duckdb_s else None,
        "day_vs_rebuild": round(day_rebuild_s / rebuild_s, 4) if rebuild_s else None,
    }
    extra["naive_over_report"] = round(naive_s / report_s, 1) if report_s else None
    return {"extra": extra, "result": result}
