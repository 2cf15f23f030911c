"""`python manage.py backup dump|restore-check` (`make backup`, `make restore-check`).

dump: `pg_dump --format=custom` of the database into BACKUP_DIR, as
`meldpunt-<UTC time>.dump` (written under a temporary name, renamed when complete); then
dumps older than BACKUP_RETENTION_DAYS are deleted from that directory (never the newest).

restore-check: the newest dump is restored into a scratch database (DATABASE_URL's name
with `_restore_check`, dropped first and afterwards), and compared with the live database:
the row count of every table, then the annual figures (`annual_report YEAR --format json`)
of every year with contacts. Run it right after `dump` at a quiet hour (the nightly timer in
deploy/ does): a contact registered in between shows as a difference. Exit status 1 on any
difference. Only counts and figures are printed, no content.
"""

import json
import os
import subprocess
import sys
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils.translation import gettext as _

DUMP_PREFIX = "meldpunt-"


def _libpq_env(db: dict) -> dict:
    """pg_dump/pg_restore read the connection from the environment: the password never
    shows in the process list."""
    env = {**os.environ}
    for key, value in {
        "PGHOST": db.get("HOST") or "127.0.0.1",
        "PGPORT": str(db.get("PORT") or 5432),
        "PGUSER": db.get("USER") or "",
        "PGPASSWORD": db.get("PASSWORD") or "",
    }.items():
        if value:
            env[key] = value
    return env


def _run(args: list[str], env: dict) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed programs
    if result.returncode != 0:
        raise CommandError(
            _("%(program)s failed: %(error)s")
            % {"program": args[0], "error": result.stderr.strip()[-2000:]}
        )


def _table_counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
        tables = [row[0] for row in cursor.fetchall()]
        counts = {}
        for table in tables:
            # A table name from the catalogue, quoted.
            cursor.execute(f"SELECT count(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608  # nosec B608
            counts[table] = cursor.fetchone()[0]
    return counts


class Command(BaseCommand):
    help = "Back up the database (dump) or check that the newest backup restores (restore-check)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["dump", "restore-check"])

    def handle(self, *args, action, **options):
        if connection.vendor != "postgresql":
            raise CommandError(_("Backups are made of PostgreSQL (DATABASE_URL)."))
        directory = Path(settings.BACKUP_DIR)
        directory.mkdir(parents=True, exist_ok=True)
        if action == "dump":
            self.dump(directory)
        else:
            self.restore_check(directory)

    def dump(self, directory: Path) -> None:
        db = connection.settings_dict
        stamp = datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")
        final = directory / f"{DUMP_PREFIX}{stamp}.dump"
        partial = final.with_suffix(".partial")
        started = time.monotonic()
        _run(
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(partial), db["NAME"]],
            _libpq_env(db),
        )
        partial.chmod(0o600)  # it holds everything the line was told
        partial.rename(final)
        self.stdout.write(
            _("%(file)s (%(size)s bytes, %(seconds).1f s)")
            % {"file": final, "size": final.stat().st_size, "seconds": time.monotonic() - started}
        )
        cutoff = datetime.now(tz=UTC) - timedelta(days=settings.BACKUP_RETENTION_DAYS)
        for old in sorted(directory.glob(f"{DUMP_PREFIX}*.dump"))[:-1]:
            if datetime.fromtimestamp(old.stat().st_mtime, tz=UTC) < cutoff:
                old.unlink()
                self.stdout.write(
                    _("removed %(name)s (older than the retention)") % {"name": old.name}
                )

    def restore_check(self, directory: Path) -> None:
        dumps = sorted(directory.glob(f"{DUMP_PREFIX}*.dump"))
        if not dumps:
            raise CommandError(
                _("No backup in %(directory)s: run `make backup` first.") % {"directory": directory}
            )
        latest = dumps[-1]
        db = connection.settings_dict
        scratch = f"{db['NAME']}_restore_check"
        env = _libpq_env(db)
        _run(["dropdb", "--if-exists", "--force", scratch], env)
        _run(["createdb", scratch], env)
        try:
            started = time.monotonic()
            _run(
                ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", scratch, str(latest)],
                env,
            )
            restored_in = time.monotonic() - started
            problems = self.compare(scratch)
        finally:
            connection.close()
            _run(["dropdb", "--if-exists", "--force", scratch], env)
        self.stdout.write(
            _("%(name)s: restored in %(seconds).1f s")
            % {"name": latest.name, "seconds": restored_in}
        )
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            sys.exit(1)
        self.stdout.write(_("restore-check: row counts and annual figures equal"))

    def compare(self, scratch: str) -> list[str]:
        from django.db import connections

        live_counts = _table_counts(connection)
        copy = connections.create_connection("default")
        copy.settings_dict = {**copy.settings_dict, "NAME": scratch}
        try:
            copy_counts = _table_counts(copy)
        finally:
            copy.close()
        problems = [
            _("table %(table)s: live %(live)s, restored %(restored)s")
            % {"table": table, "live": live_counts.get(table), "restored": copy_counts.get(table)}
            for table in sorted(live_counts.keys() | copy_counts.keys())
            if live_counts.get(table) != copy_counts.get(table)
        ]
        self.stdout.write(
            _("%(tables)s tables, %(rows)s rows compared")
            % {"tables": len(live_counts), "rows": sum(live_counts.values())}
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT DISTINCT EXTRACT(year FROM started_at AT TIME ZONE %s)::int "
                "FROM contacts_contact ORDER BY 1",
                [settings.TIME_ZONE],
            )
            years = [row[0] for row in cursor.fetchall()]
        for year in years:
            live = self.figures(year, connection.settings_dict["NAME"])
            restored = self.figures(year, scratch)
            if live != restored:
                changed = sorted(
                    k for k in live.keys() | restored.keys() if live.get(k) != restored.get(k)
                )
                problems.append(
                    _("annual figures %(year)s differ in: %(keys)s")
                    % {"year": year, "keys": ", ".join(changed)}
                )
        self.stdout.write(
            _("annual figures compared for %(count)s years: %(years)s")
            % {"count": len(years), "years": years}
        )
        return problems

    def figures(self, year: int, database: str) -> dict:
        """The annual figures as `annual_report` prints them, from `database` (a process of
        its own: the settings read DATABASE_URL once)."""
        db = connection.settings_dict
        password = f":{urllib.parse.quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
        env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}{password}@{host}/{database}"}
        result = subprocess.run(  # noqa: S603 - our interpreter and command
            [sys.executable, "manage.py", "annual_report", str(year), "--format", "json"],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(
                _("annual_report %(year)s failed: %(error)s")
                % {"year": year, "error": result.stderr.strip()[-1000:]}
            )
        return json.loads(result.stdout)
