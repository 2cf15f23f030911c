"""Measure the imports on generated files: contacts and attempt log, rows per second, peak
memory, and a raw COPY of the same contact file into a bare table as the yardstick."""

import csv
import json
import random
import resource
import secrets
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from contacts.management.commands.import_contacts import import_summary
from contacts.models import (
    AwarenessSource,
    CallAttempt,
    CallerAgeGroup,
    CallerRole,
    Case,
    Contact,
    ContactType,
    Gender,
    ReferenceCounter,
    Referral,
    Region,
    Theme,
    VictimAgeGroup,
    ViolenceContext,
    ViolenceForm,
)
from contacts.services.attempts import REQUIRED_COLUMNS as ATTEMPT_COLUMNS
from contacts.services.attempts import attempts_import
from contacts.services.imports import (
    BRUSSELS,
    COLUMNS,
    DEFAULT_BATCH_SIZE,
    LIST_SEPARATOR,
    ContactImportError,
    contacts_import,
)
from staffing.models import Site

# Generated contacts start in these years: all in the past, so none is refused as future.
FIRST = datetime(2018, 1, 1, tzinfo=UTC)
LAST = datetime(2025, 1, 1, tzinfo=UTC)
NOTES = [
    "Moeder ongerust over blauwe plekken bij haar zoon.",
    'Leerkracht meldt: "hij wil niet naar huis", vraagt advies.',
    "Buurvrouw hoort 's nachts geroep, twijfelt, belt later terug.",
    "Jongere vertelt over pesten, online en op school.",
    "Beller zoekt info over een vertrouwenscentrum;\nverwezen.",
    'Gesprek afgebroken,\r\nbeller zei "sorry, verkeerd nummer".',
]
DELETE_CHUNK = 5000


class Command(BaseCommand):
    help = (
        "Generate a contact CSV and an attempt log of --rows rows each, import them as "
        "import_contacts and import_attempts do, COPY the contact file into a bare table, "
        "print rows/s and peak memory (last line: JSON). Writes real rows: refuses a database "
        "that has contacts unless --yes; removes what it imported unless --keep."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)
        parser.add_argument("--seed", type=int, default=1712)
        parser.add_argument(
            "--yes", action="store_true", help="run even though the database has contacts"
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the imported contacts afterwards"
        )

    def handle(
        self, *args, rows: int, batch_size: int, seed: int, yes: bool, keep: bool, **options
    ):
        if rows < 1 or batch_size < 1:
            raise CommandError("--rows and --batch-size must be at least 1")
        if not yes and Contact.objects.exists():
            raise CommandError(
                "The database has contacts and the benchmark writes real rows; "
                "use an empty database or pass --yes."
            )
        token = secrets.token_hex(3)
        counters_before = _counters()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "contacts.csv"
            _generate(path, rows=rows, token=token, seed=seed)
            size_mb = path.stat().st_size / 1_048_576
            copy_seconds = _copy_bare(path)
            with path.open("rb") as stream:
                try:
                    result = contacts_import(
                        stream, batch_size=batch_size, on_error=self.stderr.write
                    )
                except ContactImportError as error:
                    raise CommandError(f"{error.result.error_count} errors") from None
            attempts_path = Path(directory) / "attempts.csv"
            _generate_attempts(attempts_path, rows=rows, token=token, seed=seed)
            with attempts_path.open(encoding="utf-8", newline="") as stream:
                attempts = attempts_import(stream)
            if not attempts.ok:
                raise CommandError(f"attempts: {attempts.problems[:5]}")
        # ru_maxrss is in KiB on Linux: the peak of the whole process, generation included.
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"{size_mb:.1f} MB CSV")
        self.stdout.write(import_summary(result))
        copy_rows_s = result.rows_read / copy_seconds if copy_seconds else None
        if copy_rows_s:
            self.stdout.write(
                f"raw COPY of the same file into a bare table: {copy_seconds:.2f} s "
                f"({copy_rows_s:.0f} rows/s)"
            )
        self.stdout.write(
            f"attempt log: {attempts.rows_read} rows, {attempts.imported} imported in "
            f"{attempts.seconds:.2f} s ({attempts.rows_per_second:.0f} rows/s)"
        )
        if not keep:
            _remove(token, counters_before)
        import_rows_s = result.rows_per_second
        self.stdout.write(
            json.dumps(
                {
                    "rows": result.rows_read,
                    "import_rows_s": round(import_rows_s),
                    "copy_rows_s": round(copy_rows_s) if copy_rows_s else None,
                    # How many times slower the import is than the raw COPY (target ≤ 5).
                    "import_vs_copy": round(copy_rows_s / import_rows_s, 1)
                    if copy_rows_s and import_rows_s
                    else None,
                    "attempts_rows_s": round(attempts.rows_per_second),
                    "peak_rss_mb": round(peak_rss_mb, 1),
                }
            )
        )


def _copy_bare(path: Path) -> float | None:
    """Seconds to COPY the file into a table of text columns without keys or indexes (in a
    transaction rolled back): the floor any import of the file could reach. None where
    there is no COPY (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with path.open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream))
    columns = ", ".join(f'"{name}" text' for name in header)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE bench_bare_copy ({columns})")
        with (
            cursor.cursor.copy(
                "COPY bench_bare_copy FROM STDIN WITH (FORMAT csv, HEADER true)"
            ) as copy,
            path.open("rb") as stream,
        ):
            while block := stream.read(1 << 20):
                copy.write(block)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_bare_copy")
        transaction.set_rollback(True)
    return seconds


def _generate_attempts(path: Path, *, rows: int, token: str, seed: int) -> None:
    """An attempt log: answered and unanswered phone and chat attempts, with callers."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets  # nosec B311
    span = int((LAST - FIRST).total_seconds())
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([*ATTEMPT_COLUMNS, "caller"])
        for n in range(rows):
            started = FIRST + timedelta(seconds=rng.randrange(span))
            answered = rng.random() < 0.8
            writer.writerow(
                [
                    f"bench-{token}-a{n:08d}",
                    "phone" if rng.random() < 0.78 else "chat",
                    started.astimezone(BRUSSELS).isoformat(),
                    rng.randint(0, 300),
                    rng.randint(30, 2400) if answered else 0,
                    int(answered),
                    f"+3247{rng.randrange(10**7):07d}",
                ]
            )


def _counters() -> dict[tuple[str, int], int]:
    return {(c.kind, c.year): c.last_value for c in ReferenceCounter.objects.all()}


def _remove(token: str, counters_before: dict[tuple[str, int], int]) -> None:
    """Delete the benchmark's contacts and cases, and give back its contact references."""
    with transaction.atomic():
        contacts = Contact.objects.filter(external_id__startswith=f"bench-{token}-")
        while chunk := list(contacts.values_list("pk", flat=True)[:DELETE_CHUNK]):
            Contact.objects.filter(pk__in=chunk).delete()
        # One statement: the bookkeeping receivers of a deletion (days to rebuild) do not
        # matter for generated rows.
        table = connection.ops.quote_name(CallAttempt._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {table} WHERE external_id LIKE %s",  # noqa: S608  # nosec B608
                [f"bench-{token}-a%"],
            )
        Case.objects.filter(reference__startswith=f"B{token}-").delete()
        for (kind, year), after in _counters().items():
            before = counters_before.get((kind, year))
            if before == after:
                continue
            # Only when nobody took a reference meanwhile (conditional update, no lock needed).
            counter = ReferenceCounter.objects.filter(kind=kind, year=year, last_value=after)
            if before is None:
                counter.delete()
            else:
                counter.update(last_value=before)


def _codes(model) -> list[str]:
    return list(model.objects.filter(is_active=True).values_list("code", flat=True))


def _generate(path: Path, *, rows: int, token: str, seed: int) -> None:
    """A realistic file: every column, some notes with commas, quotes and newlines."""
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets  # nosec B311
    sites = list(Site.objects.values_list("code", "is_default"))
    site_codes = [code for code, _default in sites]
    has_default = any(default for _code, default in sites)
    themes, genders, ages = _codes(Theme), _codes(Gender), _codes(CallerAgeGroup)
    minors = set(CallerAgeGroup.objects.filter(is_minor=True).values_list("code", flat=True))
    roles, regions = _codes(CallerRole), _codes(Region)
    victim_ages, forms = _codes(VictimAgeGroup), _codes(ViolenceForm)
    contexts, sources, referrals = (
        _codes(ViolenceContext),
        _codes(AwarenessSource),
        _codes(Referral),
    )
    contact_types = _codes(ContactType)
    span = int((LAST - FIRST).total_seconds())
    cases = max(1, rows // 8)

    def maybe(codes: list[str], blank: float) -> str:
        return "" if rng.random() < blank else rng.choice(codes)

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for n in range(rows):
            channel = rng.choices(["phone", "chat", "email"], weights=[6, 3, 1])[0]
            started = FIRST + timedelta(seconds=rng.randrange(span))
            when = (
                started.isoformat().replace("+00:00", "Z")
                if rng.random() < 0.2
                else started.astimezone(BRUSSELS).isoformat()
            )
            duration = {
                "phone": lambda: str(rng.randint(20, 2400)),
                "chat": lambda: str(rng.randint(120, 5400)),
                "email": lambda: "",
            }[channel]()
            age = maybe(ages, 0.1)
            role = maybe(roles, 0.1)
            if age in minors and role == "professional":
                role = "victim"
            case = ""
            site = "" if has_default and rng.random() < 0.3 else rng.choice(site_codes)
            if rng.random() < 0.25:
                number = rng.randrange(cases)
                case = f"B{token}-{number:06d}"
                site = site_codes[number % len(site_codes)]  # a case stays at one site
            note = rng.choice(NOTES) if rng.random() < 0.6 else ""
            writer.writerow(
                [
                    f"bench-{token}-{n:08d}",
                    channel,
                    when,
                    duration,
                    site,
                    maybe(themes, 0.05),
                    maybe(genders, 0.1),
                    age,
                    role,
                    maybe(regions, 0.15),
                    LIST_SEPARATOR.join(
                        rng.choice(victim_ages)
                        for _ in range(rng.choices([0, 1, 2, 3], weights=[3, 5, 2, 1])[0])
                    ),
                    note,
                    LIST_SEPARATOR.join(
                        sorted(set(rng.sample(forms, rng.choices([0, 1, 2], [3, 5, 2])[0])))
                    ),
                    maybe(contexts, 0.4),
                    maybe(sources, 0.5),
                    maybe(referrals, 0.3),
                    rng.choice(["1", "0", "0", ""]),
                    case,
                    maybe(contact_types, 0.3),
                ]
            )
