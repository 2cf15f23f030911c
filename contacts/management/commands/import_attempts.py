from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts.services.attempts import attempts_import
from meldpunt.audit import Action, audit_record, cli_username
from meldpunt.progress import command_progress, counted_lines


class Command(BaseCommand):
    help = (
        "Import the call and chat attempt log (CSV as in DESIGN.md). All or nothing; "
        "attempts whose external_id is already stored are skipped."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file, UTF-8, with a header row")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the whole file, store nothing"
        )

    def handle(self, *args, file: Path, dry_run: bool, **options):
        self.verbosity = options["verbosity"]
        with translation.override(settings.LANGUAGE_CODE):
            try:
                # utf-8-sig strips a BOM; newline="" lets csv handle newlines inside quotes.
                with (
                    file.open(encoding="utf-8-sig", newline="") as stream,
                    command_progress(self, _("Attempts"), file.stat().st_size, _("rows")) as bar,
                ):
                    result = attempts_import(counted_lines(stream, bar), dry_run=dry_run)
            except OSError as error:
                raise CommandError(error) from error

            for problem in result.problems:
                self.stderr.write(str(problem))
            hidden = result.problem_count - len(result.problems)
            if hidden:
                self.stderr.write(
                    ngettext(
                        "… and %(count)s more problem.", "… and %(count)s more problems.", hidden
                    )
                    % {"count": hidden}
                )
            audit_record(
                action=Action.IMPORT,
                username=cli_username(),
                object_type="call_attempt",
                detail=f"import_attempts file={file.name} dry_run={int(dry_run)} "
                f"rows={result.rows_read} imported={result.imported if result.ok else 0} "
                f"skipped={result.skipped} problems={result.problem_count}",
            )
            if not result.ok:
                count = result.problem_count
                raise CommandError(
                    ngettext(
                        "%(count)s problem; nothing was imported.",
                        "%(count)s problems; nothing was imported.",
                        count,
                    )
                    % {"count": count}
                )

            summary = _(
                "%(read)s rows read, %(imported)s imported, %(skipped)s skipped "
                "(already stored), %(rate).0f rows/s."
            )
            if dry_run:
                summary = _(
                    "Dry run: %(read)s rows read, %(imported)s would be imported, "
                    "%(skipped)s skipped (already stored), %(rate).0f rows/s; nothing stored."
                )
            if self.verbosity < 1:
                return
            self.stdout.write(
                summary
                % {
                    "read": result.rows_read,
                    "imported": result.imported,
                    "skipped": result.skipped,
                    "rate": result.rows_per_second,
                }
            )
