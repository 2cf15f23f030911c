import contextlib
import csv
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.models import ContactFlag
from contacts.services.imports import (
    DEFAULT_BATCH_SIZE,
    ContactImportError,
    ImportResult,
    contacts_import,
    flag_message,
)
from meldpunt.audit import Action, audit_record, cli_username
from meldpunt.progress import command_progress, counted_lines


def import_summary(result: ImportResult) -> str:
    if result.dry_run:
        text = _(
            "Dry run: %(read)s rows read, %(imported)s contacts would be imported, "
            "%(present)s already present (skipped), %(victims)s victims, "
            "%(seconds).1f s (%(rate).0f rows/s); nothing was written."
        )
    else:
        text = _(
            "%(read)s rows read, %(imported)s contacts imported, %(present)s already present "
            "(skipped), %(victims)s victims, %(flagged)s flagged for a check, "
            "%(seconds).1f s (%(rate).0f rows/s)."
        )
    return text % {
        "read": result.rows_read,
        "imported": result.imported,
        "present": result.already_present,
        "victims": result.victims,
        "flagged": result.flagged,
        "seconds": result.seconds,
        "rate": result.rows_per_second,
    }


class Command(BaseCommand):
    help = (
        "Import contacts from a contact CSV (format in DESIGN.md). All or nothing for malformed "
        "rows; unusual but well-formed rows are imported and flagged (listed as `regel N: …`, "
        "and in --report FILE). Rows whose external_id is already stored are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, with a header row; - for stdin")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the whole file, write nothing"
        )
        parser.add_argument(
            "--report",
            metavar="FILE",
            help="also write the unusual rows (imported and flagged) to FILE as CSV",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=DEFAULT_BATCH_SIZE,
            help="rows checked and inserted per batch (default %(default)s)",
        )

    def handle(self, *args, file: str, dry_run: bool, batch_size: int, **options):
        self.verbosity = options["verbosity"]
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        report_path = options.get("report")
        with translation.override(settings.LANGUAGE_CODE):
            try:
                with contextlib.ExitStack() as stack:
                    self.report = None
                    if report_path:
                        handle = stack.enter_context(
                            Path(report_path).open("w", encoding="utf-8", newline="")
                        )
                        self.report = csv.writer(handle, lineterminator="\r\n")
                        self.report.writerow(["line", "external_id", "reason", "reason_label"])
                    if file == "-":
                        result = self._import(sys.stdin.buffer, None, dry_run, batch_size)
                    else:
                        with Path(file).open("rb") as stream:
                            size = Path(file).stat().st_size
                            result = self._import(stream, size, dry_run, batch_size)
            except OSError as error:
                raise CommandError(error) from error
            except ContactImportError as error:
                count = error.result.error_count
                _audit(file, dry_run, f"errors={count} imported=0")
                raise CommandError(
                    ngettext(
                        "%(count)s error; nothing was imported.",
                        "%(count)s errors; nothing was imported.",
                        count,
                    )
                    % {"count": count}
                ) from None
            _audit(
                file,
                dry_run,
                f"rows={result.rows_read} imported={result.imported} "
                f"present={result.already_present} victims={result.victims} "
                f"flagged={result.flagged}",
            )
            if self.verbosity >= 1:
                self.stdout.write(import_summary(result))

    def _import(self, stream, size: int | None, dry_run: bool, batch_size: int) -> ImportResult:
        # Errors are printed as they are found: a bad file of a million rows shows its first
        # errors at once and does not collect them all in memory.
        with command_progress(self, _("Contacts"), size, _("rows")) as bar:
            return contacts_import(
                counted_lines(stream, bar),
                dry_run=dry_run,
                batch_size=batch_size,
                on_error=self.stderr.write,
                on_flag=self._flagged,
            )

    def _flagged(self, line: int, external_id: str, reason: str) -> None:
        """An unusual row, imported and flagged: `regel N: …`, and a row of --report."""
        self.stdout.write(flag_message(line, external_id, reason))
        if self.report is not None:
            label = str(ContactFlag.Reason(reason).label)
            self.report.writerow([line, external_id, reason, label])


def _audit(file: str, dry_run: bool, counts: str) -> None:
    audit_record(
        action=Action.IMPORT,
        username=cli_username(),
        object_type="contact",
        detail=f"import_contacts file={Path(file).name if file != '-' else 'stdin'} "
        f"dry_run={int(dry_run)} {counts}",
    )
