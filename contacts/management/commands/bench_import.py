"""Measure the contact import on a generated file: rows per second and peak memory."""

import csv
import json
import random
import resource
import secrets
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts.management.commands.import_contacts import import_summary
from contacts.models import (
    AwarenessSource,
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
        "Generate a contact CSV of --rows rows, import it as import_contacts does, print "
        "rows/s and peak memory (last line: JSON). Writes real rows: refuses a database that "
        "has contacts unless --yes; removes what it imported unless --keep."
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
            with path.open("rb") as stream:
                try:
                    result = contacts_import(
                        stream, batch_size=batch_size, on_error=self.stderr.write
                    )
                except ContactImportError as error:
                    raise CommandError(f"{error.result.error_count} errors") from None
        # ru_maxrss is in KiB on Linux: the peak of the whole process, generation included.
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        self.stdout.write(f"{size_mb:.1f} MB CSV")
        self.stdout.write(import_summary(result))
        if not keep:
            _remove(token, counters_before)
        self.stdout.write(
            json.dumps(
                {
                    "rows": result.rows_read,
                    "seconds": round(result.seconds, 2),
                    "rows_per_s": round(result.rows_per_second),
                    "peak_rss_mb": round(peak_rss_mb, 1),
                }
            )
        )


def _counters() -> dict[tuple[str, int], int]:
    return {(c.kind, c.year): c.last_value for c in ReferenceCounter.objects.all()}


def _remove(token: str, counters_before: dict[tuple[str, int], int]) -> None:
    """Delete the benchmark's contacts and cases, and give back its contact references."""
    with transaction.atomic():
        contacts = Contact.objects.filter(external_id__startswith=f"bench-{token}-")
        while chunk := list(contacts.values_list("pk", flat=True)[:DELETE_CHUNK]):
            Contact.objects.filter(pk__in=chunk).delete()
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
