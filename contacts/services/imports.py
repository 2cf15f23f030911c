"""Import of contacts from the contact CSV of DESIGN.md ("Contact CSV").

Two ways, one result. On PostgreSQL the file is first COPYed into a staging table, checked
with set-based SQL and inserted with INSERT ... SELECT (imports_pg.py); that path only ever
accepts a file, and hands any file it cannot vouch for (a malformed one, one with errors,
or one COPY may read otherwise than the csv module) to the row-by-row path below, which
reads it again from a spooled copy and words every message. SQLite always reads row by row.
tests/contacts/test_import_fast_path.py holds the two paths to the same results, messages
and stored rows.

The row-by-row path: one pass over the file, in batches, inside one transaction: every
record is parsed as it is read, a full batch is checked against the database and inserted
with `bulk_create`, and at the end the transaction is rolled back if any record was bad
(all or nothing) or if this is a dry run. Memory is bounded by the batch size, not by the file:

* no set of all external ids is kept. A batch asks the database which of its ids exist;
  rows inserted by this import have a primary key above the highest key that existed when
  the import started (the *watermark*), so an id found at or below the watermark existed
  before (skipped, "already present") and one above it was inserted earlier in this same
  file (a duplicate: an error). Primary keys only grow (PostgreSQL sequences; SQLite hands
  out max(id) + 1), so the watermark needs no clock.
* valid rows are inserted even after an error, so that later duplicates are still found;
  the rollback at the end undoes them.

Two consequences: a row that repeats the external id of an *already present* contact is
skipped twice instead of being reported (harmless: nothing is created either way); and the
references of the imported rows are taken in short transactions of their own, so a
responder never waits for an import (contacts/services/references.py), at the price of
unused numbers when an import fails or is a dry run.
"""

import codecs
import contextlib
import csv
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, reset_queries, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from meldpunt.channels import Channel
from staffing.models import Site

from ..models import (
    DEFAULT_CONTACT_TYPE,
    NOTES_MAX_LENGTH,
    AwarenessSource,
    CallerAgeGroup,
    CallerRole,
    Case,
    Contact,
    ContactFlag,
    ContactType,
    Gender,
    Referral,
    Region,
    Theme,
    Victim,
    VictimAgeGroup,
    ViolenceContext,
    ViolenceForm,
)
from .contacts import ContactData, VictimData, contact_validate, contact_warnings
from .imports_pg import fast_import
from .references import Kind, reference_allocate, reference_counter_raise, reference_parse

BRUSSELS = ZoneInfo("Europe/Brussels")

BASE_COLUMNS = (
    "external_id",
    "channel",
    "started_at",
    "duration_seconds",
    "site",
    "theme",
    "caller_gender",
    "caller_age_group",
    "caller_role",
    "region",
    "victims",
    "notes",
)
EXTRA_COLUMNS = (
    "forms_of_violence",
    "context",
    "awareness_source",
    "referral",
    "follow_up_needed",
    "case",
    "contact_type",
)
COLUMNS = BASE_COLUMNS + EXTRA_COLUMNS
LIST_SEPARATOR = ";"
DEFAULT_BATCH_SIZE = 2000
# ContactImportError keeps this many messages (every one goes to `on_error`): memory must not
# grow with a file that is bad from top to bottom.
MAX_ERRORS_KEPT = 1000

# Columns holding one code of a taxonomy model; blank means not recorded.
CODE_COLUMNS = {
    "theme": Theme,
    "caller_gender": Gender,
    "caller_age_group": CallerAgeGroup,
    "caller_role": CallerRole,
    "region": Region,
    "context": ViolenceContext,
    "awareness_source": AwarenessSource,
    "referral": Referral,
    "contact_type": ContactType,
}
# contact_validate() keys its errors by ContactData field; the CSV calls two of them otherwise.
_FIELD_COLUMNS = {"ended_at": "duration_seconds", "started_at": "started_at"}

# The contact fields that are not a taxonomy term.
_PLAIN_FIELDS = tuple(name for name in ContactData.SCALAR_FIELDS if name not in CODE_COLUMNS)

_EXTERNAL_ID_MAX = Contact._meta.get_field("external_id").max_length
_CASE_REFERENCE_MAX = Case._meta.get_field("reference").max_length


def _pk(term):
    return term.pk if term is not None else None


def local_year(instant: datetime) -> int:
    return instant.astimezone(BRUSSELS).year


@dataclass
class ImportResult:
    rows_read: int = 0
    imported: int = 0
    already_present: int = 0
    victims: int = 0
    flagged: int = 0
    error_count: int = 0
    seconds: float = 0.0
    dry_run: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


class ContactImportError(Exception):
    """The file had bad rows; nothing was imported. `errors` holds the first messages."""

    def __init__(self, result: ImportResult, errors: list[str]):
        super().__init__(f"{result.error_count} errors")
        self.result = result
        self.errors = errors


class _FatalError(Exception):
    """The rest of the file cannot be read; the reason has been reported."""


@dataclass
class _Row:
    line: int
    external_id: str
    site: Site
    case_reference: str | None
    data: ContactData
    # Unusual, not impossible: imported and flagged (ContactFlag.Reason values).
    flags: tuple = ()


def flag_message(line: int, external_id: str, reason: str) -> str:
    """`regel N: …` for an unusual row that was imported and flagged."""
    return error_message(
        line,
        None,
        _("imported and flagged for a check (%(id)s): %(reason)s")
        % {"id": external_id, "reason": ContactFlag.Reason(reason).label},
    )


def error_message(line: int, column: str | None, problem: str) -> str:
    if column is None:
        return _("line %(line)s: %(problem)s") % {"line": line, "problem": problem}
    return _("line %(line)s, column %(column)s: %(problem)s") % {
        "line": line,
        "column": column,
        "problem": problem,
    }


class _BadEncoding(Exception):
    def __init__(self, line: int, byte: int):
        super().__init__(line, byte)
        self.line = line
        self.byte = byte


def _decoded_lines(stream: Iterable[bytes]) -> Iterator[str]:
    """The physical lines of a UTF-8 file, without a byte order mark.

    Decoding line by line (instead of a text-mode file) tells us on which line a bad byte is.
    Line endings are kept, as `open(newline="")` would, so quoted newlines survive.
    """
    for number, raw in enumerate(stream, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _BadEncoding(number, exc.start + 1) from None


class _Importer:
    def __init__(
        self,
        *,
        batch_size: int,
        now: datetime,
        on_error: Callable[[str], None],
        on_flag: Callable[[int, str, str], None],
    ):
        self.batch_size = batch_size
        self.now = now
        self.on_error = on_error
        self.on_flag = on_flag
        self.result = ImportResult()
        # Loaded once per import: a few hundred rows at most, and no query per row.
        self.codes = {
            column: {term.code: term for term in model.objects.all()}
            for column, model in CODE_COLUMNS.items()
        }
        self.victim_age_groups = {term.code: term for term in VictimAgeGroup.objects.all()}
        self.violence_forms = {term.code: term for term in ViolenceForm.objects.all()}
        self.sites = {site.code: site for site in Site.objects.all()}
        self.default_site = next((s for s in self.sites.values() if s.is_default), None)
        # A row without a contact type gets the documented default (models.contact).
        self.default_contact_type = self.codes["contact_type"].get(DEFAULT_CONTACT_TYPE)
        self.watermark = Contact.objects.aggregate(top=Max("pk"))["top"] or 0

    # --- reading ------------------------------------------------------------------------

    @sensitive_variables("fields", "batch")
    def run(self, stream: Iterable[bytes]) -> None:
        reader = csv.reader(_decoded_lines(stream), strict=True)
        batch: list[tuple[int, _Row | None, list[tuple[str, str]]]] = []
        header = None
        line = 1
        try:
            for fields in reader:
                if fields:  # csv yields [] for an empty line
                    if header is None:
                        header = self._header(line, fields)
                    else:
                        self.result.rows_read += 1
                        batch.append((line, *self._parse(line, header, fields)))
                        if len(batch) >= self.batch_size:
                            self._flush(batch)
                            batch = []
                # The next record starts on the line after the last one this record used.
                line = reader.line_num + 1
        except _FatalError:
            return
        except _BadEncoding as exc:
            self._flush(batch)
            self._error(exc.line, None, _("not valid UTF-8 (byte %(byte)s).") % {"byte": exc.byte})
            return
        except csv.Error as exc:
            # The reader cannot find the next record reliably after broken quoting.
            self._flush(batch)
            self._error(line, None, _("the CSV is malformed (%(detail)s).") % {"detail": exc})
            return
        if header is None:
            self._error(1, None, _("the file is empty; expected a header row."))
            return
        self._flush(batch)

    def _header(self, line: int, fields: list[str]) -> list[str]:
        problems = []
        for name in fields:
            if name not in COLUMNS:
                problems.append((name, _("unknown column.")))
            elif fields.count(name) > 1 and name not in {p[0] for p in problems}:
                problems.append((name, _("the column appears more than once.")))
        problems += [
            (name, _("required column is missing.")) for name in BASE_COLUMNS if name not in fields
        ]
        if problems:
            for column, problem in problems:
                self._error(line, column, problem)
            raise _FatalError()
        return fields

    # A row holds notes: its values are left out of error reports.
    @sensitive_variables("fields", "values", "data")
    def _parse(self, line: int, header: list[str], fields: list[str]):
        """(row, []) for a good record, (None, [(column, problem), ...]) for a bad one."""
        if len(fields) != len(header):
            column = header[len(fields)] if len(fields) < len(header) else str(len(header) + 1)
            problem = _("%(found)s fields instead of %(expected)s.") % {
                "found": len(fields),
                "expected": len(header),
            }
            return None, [(column, problem)]
        values = dict(zip(header, fields, strict=True))
        errors: list[tuple[str, str]] = []

        def value(column: str) -> str:
            return values.get(column, "").strip()

        def refuse(column: str, problem: str) -> None:
            errors.append((column, problem))

        # PostgreSQL cannot store a NUL character in text (the insert would fail).
        for column, text in values.items():
            if "\x00" in text:
                refuse(column, _("contains a NUL character."))
        if errors:
            return None, errors

        external_id = value("external_id")
        if not external_id:
            refuse("external_id", _("required."))
        elif len(external_id) > _EXTERNAL_ID_MAX:
            refuse("external_id", _("longer than %(max)s characters.") % {"max": _EXTERNAL_ID_MAX})

        channel = value("channel")
        if not channel:
            refuse("channel", _("required."))
        elif channel not in Channel.values:
            refuse("channel", _("unknown code “%(code)s”.") % {"code": channel})

        started_at = self._instant(value("started_at"), refuse)
        ended_at = None
        duration = value("duration_seconds")
        if duration:
            if not (duration.isascii() and duration.isdigit()):
                refuse(
                    "duration_seconds",
                    _("“%(value)s” is not a whole number ≥ 0.") % {"value": duration},
                )
            elif started_at is not None:
                try:
                    ended_at = started_at + timedelta(seconds=int(duration))
                except OverflowError:
                    refuse("duration_seconds", _("too large."))

        site_code = value("site")
        site = self.sites.get(site_code) if site_code else self.default_site
        if site is None:
            if site_code:
                refuse("site", _("unknown site “%(code)s”.") % {"code": site_code})
            else:
                refuse("site", _("blank, and there is no default site."))

        terms = {}
        for column in CODE_COLUMNS:
            code = value(column)
            terms[column] = self._term(column, code, self.codes[column], refuse) if code else None
        terms["contact_type"] = terms["contact_type"] or self.default_contact_type

        victims = self._victims(value("victims"), refuse)
        forms = self._forms(value("forms_of_violence"), refuse)

        follow_up = value("follow_up_needed")
        if follow_up not in {"", "0", "1"}:
            refuse(
                "follow_up_needed", _("“%(value)s” is not 1, 0 or blank.") % {"value": follow_up}
            )

        if len(values["notes"]) > NOTES_MAX_LENGTH:
            refuse("notes", _("longer than %(max)s characters.") % {"max": NOTES_MAX_LENGTH})

        case_reference = value("case") or None
        if case_reference and len(case_reference) > _CASE_REFERENCE_MAX:
            refuse("case", _("longer than %(max)s characters.") % {"max": _CASE_REFERENCE_MAX})

        if errors:
            return None, errors
        data = ContactData(
            channel=channel,
            started_at=started_at,
            ended_at=ended_at,
            forms_of_violence=forms,
            follow_up_needed=follow_up == "1",
            notes=values["notes"],
            victims=victims,
            **terms,
        )
        return _Row(line, external_id, site, case_reference, data), []

    @staticmethod
    def _instant(text: str, refuse) -> datetime | None:
        if not text:
            refuse("started_at", _("required."))
            return None
        try:
            instant = datetime.fromisoformat(text)
        except ValueError:
            refuse(
                "started_at",
                _("“%(value)s” is not a date and time like %(example)s.")
                % {
                    "value": text,
                    "example": "2018-03-05T10:15:00+01:00",
                },
            )
            return None
        if timezone.is_naive(instant):
            refuse(
                "started_at",
                _("“%(value)s” has no offset; add +01:00, +02:00 or Z.") % {"value": text},
            )
            return None
        return instant

    @staticmethod
    def _term(column: str, code: str, known: dict, refuse):
        # Inactive terms are accepted: old files hold codes that are no longer offered.
        term = known.get(code)
        if term is None:
            refuse(column, _("unknown code “%(code)s”.") % {"code": code})
        return term

    def _victims(self, text: str, refuse) -> tuple[VictimData, ...]:
        """One entry per victim; an empty entry (`a;;b`) is a victim whose age is not recorded."""
        if not text:
            return ()
        victims = []
        for entry in text.split(LIST_SEPARATOR):
            code = entry.strip()
            if not code:
                victims.append(VictimData())
                continue
            group = self._term("victims", code, self.victim_age_groups, refuse)
            victims.append(VictimData(age_group=group))
        return tuple(victims)

    def _forms(self, text: str, refuse) -> tuple[ViolenceForm, ...]:
        if not text:
            return ()
        forms = {}
        for entry in text.split(LIST_SEPARATOR):
            code = entry.strip()
            if code:
                form = self._term("forms_of_violence", code, self.violence_forms, refuse)
                if form is not None:
                    forms[code] = form
        return tuple(forms.values())

    # --- writing ------------------------------------------------------------------------

    @sensitive_variables("batch", "rows", "fresh", "valid", "row")
    def _flush(self, batch) -> None:
        """Check one batch against the database and insert its good rows."""
        problems: list[tuple[int, str, str]] = []
        rows: dict[str, _Row] = {}
        for line, row, errors in batch:
            problems += [(line, column, problem) for column, problem in errors]
            if row is None:
                continue
            if row.external_id in rows:
                problems.append((line, "external_id", self._duplicate(row)))
            else:
                rows[row.external_id] = row

        # An export writes a contact registered in the UI with its reference as external id,
        # so re-importing that export into the same register must find it by reference too.
        existing = dict(
            Contact.objects.filter(external_id__in=rows).values_list("external_id", "pk")
        )
        existing.update(
            Contact.objects.filter(external_id__isnull=True, reference__in=rows).values_list(
                "reference", "pk"
            )
        )
        fresh = []
        for row in rows.values():
            pk = existing.get(row.external_id)
            if pk is None:
                fresh.append(row)
            elif pk <= self.watermark:
                self.result.already_present += 1
            else:
                problems.append((row.line, "external_id", self._duplicate(row)))

        cases = self._cases(fresh)
        valid = []
        for row in fresh:
            case = cases.get(row.case_reference) if row.case_reference else None
            try:
                contact_validate(row.data, site=row.site, case=case, now=self.now)
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    column = _FIELD_COLUMNS.get(field, field)
                    problems += [(row.line, column, message) for message in messages]
            else:
                # Unusual is not wrong: the row is imported and flagged for a check.
                row.flags = tuple(contact_warnings(row.data))
                valid.append((row, case))
        self._insert(valid)

        for line, column, problem in sorted(problems, key=lambda p: p[0]):
            self._error(line, column, problem)
        if settings.DEBUG:
            # With DEBUG on Django keeps every query, and bulk inserts are long: a big import
            # would grow with the file.
            reset_queries()

    @staticmethod
    def _duplicate(row: _Row) -> str:
        return _("“%(id)s” appears more than once in this file.") % {"id": row.external_id}

    @staticmethod
    def _cases(rows: list[_Row]) -> dict[str, Case]:
        """The cases the rows name; missing ones are created at the site of their first row."""
        references = {row.case_reference for row in rows if row.case_reference}
        if not references:
            return {}
        cases = {case.reference: case for case in Case.objects.filter(reference__in=references)}
        created = []
        for row in rows:
            if row.case_reference and row.case_reference not in cases:
                case = Case(reference=row.case_reference, site=row.site)
                cases[case.reference] = case
                created.append(case)
        Case.objects.bulk_create(created)
        # Raising a counter to the highest imported number of each year is enough.
        highest: dict[int, tuple[int, str]] = {}
        for case in created:
            parsed = reference_parse(Kind.CASE, case.reference)
            if parsed and parsed[1] > highest.get(parsed[0], (0, ""))[0]:
                highest[parsed[0]] = (parsed[1], case.reference)
        for _number, reference in highest.values():
            reference_counter_raise(kind=Kind.CASE, reference=reference, detached=True)
        return cases

    @sensitive_variables("valid", "contacts", "row")
    def _insert(self, valid: list[tuple[_Row, Case | None]]) -> None:
        if not valid:
            return
        per_year = defaultdict(int)
        for row, _case in valid:
            per_year[local_year(row.data.started_at)] += 1
        references = {
            # Detached: the intake of that year never waits for the import (references.py).
            year: iter(reference_allocate(kind=Kind.CONTACT, year=year, count=count, detached=True))
            for year, count in sorted(per_year.items())
        }
        # Foreign keys are set by their *_id attribute: model instances are checked and cached
        # on assignment, which is a good part of the time of a big import.
        contacts = [
            Contact(
                reference=next(references[local_year(row.data.started_at)]),
                external_id=row.external_id,
                site_id=row.site.pk,
                case_id=case.pk if case is not None else None,
                **{name: getattr(row.data, name) for name in _PLAIN_FIELDS},
                **{f"{name}_id": _pk(getattr(row.data, name)) for name in CODE_COLUMNS},
            )
            for row, case in valid
        ]
        Contact.objects.bulk_create(contacts)
        victims = [
            Victim(contact_id=contact.pk, age_group_id=_pk(victim.age_group))
            for contact, (row, _case) in zip(contacts, valid, strict=True)
            for victim in row.data.victims
        ]
        Victim.objects.bulk_create(victims)
        through = Contact.forms_of_violence.through
        through.objects.bulk_create(
            through(contact_id=contact.pk, violenceform_id=form.code)
            for contact, (row, _case) in zip(contacts, valid, strict=True)
            for form in row.data.forms_of_violence
        )
        flags = [
            ContactFlag(contact_id=contact.pk, reason=reason)
            for contact, (row, _case) in zip(contacts, valid, strict=True)
            for reason in row.flags
        ]
        ContactFlag.objects.bulk_create(flags)
        for row, _case in valid:
            for reason in row.flags:
                self.on_flag(row.line, row.external_id, reason)
        self.result.imported += len(contacts)
        self.result.victims += len(victims)
        self.result.flagged += sum(1 for row, _case in valid if row.flags)

    def _error(self, line: int, column: str | None, problem: str) -> None:
        self.result.error_count += 1
        self.on_error(error_message(line, column, problem))


def _fast_path_possible() -> bool:
    """COPY and the set-based checks need PostgreSQL; SQLite reads the file row by row."""
    return connection.vendor == "postgresql"


def contacts_import(
    stream: Iterable[bytes],
    *,
    dry_run: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    now: datetime | None = None,
    on_error: Callable[[str], None] | None = None,
    on_flag: Callable[[int, str, str], None] | None = None,
) -> ImportResult:
    """Import the contacts of a contact CSV (read in binary: a file opened with "rb").

    All or nothing: if any row is bad, nothing is written and ContactImportError carries
    the error messages, in the order of the file. `on_error` is called with every message as
    it is found, so a caller can show them all without waiting for the end. A dry run checks
    everything the same way and then rolls back.

    Well-formed rows that are merely unusual (`contact_warnings`) are imported and flagged;
    `on_flag(line, external_id, reason)` is called for each flag (ContactFlag.Reason value).
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    started = time.monotonic()
    errors: list[str] = []

    def report(message: str) -> None:
        if len(errors) < MAX_ERRORS_KEPT:
            errors.append(message)
        if on_error is not None:
            on_error(message)

    now = now or timezone.now()
    on_flag = on_flag or (lambda line, external_id, reason: None)
    with contextlib.ExitStack() as cleanup, transaction.atomic(durable=True):
        outcome = None
        if _fast_path_possible():
            # Imported with COPY and set-based SQL, or handed back to be read row by row.
            outcome, stream = fast_import(stream, now=now, on_flag=on_flag)
            cleanup.callback(stream.close)
        if outcome is not None:
            result = ImportResult(
                rows_read=outcome.rows_read,
                imported=outcome.imported,
                already_present=outcome.already_present,
                victims=outcome.victims,
                flagged=outcome.flagged,
            )
        else:
            importer = _Importer(batch_size=batch_size, now=now, on_error=report, on_flag=on_flag)
            importer.run(stream)
            result = importer.result
        result.dry_run = dry_run
        result.seconds = time.monotonic() - started
        if result.error_count:
            raise ContactImportError(result, errors)
        if dry_run:
            transaction.set_rollback(True)
    return result
