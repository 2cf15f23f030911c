"""`python -m reports.bench [--contacts N]`: see reports/bench/__init__.py.

Drops and recreates the scratch database BENCH_DATABASE_URL (its name must contain
"bench"), migrates it, fills it and measures. Progress lines first; the line before the
last has extra figures, the LAST line is exactly the JSON object of FINAL_KEYS.
"""

import argparse
import json
import os
import sys
from urllib.parse import unquote, urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/meldpunt_bench"
# What `python -m reports.bench` needs when not started by `make bench` (which sets these).
ENV_DEFAULTS = {
    "DJANGO_SETTINGS_MODULE": "meldpunt.settings",
    "DEBUG": "off",
    "SECRET_KEY": "bench-only-not-secret-but-long-enough-for-the-key-check-1712",
    "CALLER_HASH_KEY": "bench-only-caller-key",
    "ALLOWED_HOSTS": "localhost",
    "LOG_LEVEL": "WARNING",
}


def _database_recreate(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or "bench" not in name:
        sys.exit(f"BENCH_DATABASE_URL must be a PostgreSQL database named *bench*: {url}")
    with psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=unquote(parts.username or "postgres"),
        password=unquote(parts.password) if parts.password else None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m reports.bench", description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per median (day: at least 5)")
    parser.add_argument("--seed", type=int, default=1712)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure the data already in BENCH_DATABASE_URL: no drop, no generation",
    )
    parser.add_argument("--report-rss", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--baseline-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    for key, value in ENV_DEFAULTS.items():
        os.environ.setdefault(key, value)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    os.environ["BENCH_DATABASE_URL"] = url
    os.environ["DATABASE_URL"] = url  # the settings read it; never the developer's database

    import django

    if args.report_rss or args.baseline_rss:
        django.setup()
        from reports.bench import run

        if args.report_rss:
            run.report_rss_main()
        else:
            from django.db import connection

            connection.ensure_connection()
            print(json.dumps({"peak_rss_mb": run.peak_rss_mb()}))
        return

    if args.contacts < 1 or args.runs < 1:
        parser.error("--contacts and --runs must be at least 1")
    if not args.reuse:
        _database_recreate(url)
    django.setup()
    from django.core.management import call_command

    from reports.bench import run

    name = urlparse(url).path.lstrip("/")
    run.say(f"scratch database {'reused' if args.reuse else 'recreated'}, migrating: {name}")
    call_command("migrate", verbosity=0, interactive=False)
    measured = run.bench(args.contacts, args.runs, args.seed, dict(os.environ), reuse=args.reuse)
    print(json.dumps(measured["extra"]), flush=True)
    result = measured["result"]
    print(json.dumps({key: result[key] for key in run.FINAL_KEYS}), flush=True)


if __name__ == "__main__":
    main()
