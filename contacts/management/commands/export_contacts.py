import io
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from contacts.services.exports import contacts_export
from meldpunt.audit import Action, audit_record, cli_username
from staffing.models import Site


class Command(BaseCommand):
    help = "Write contacts as a contact CSV (format in DESIGN.md) to stdout."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="only this year (Brussels local time)")
        parser.add_argument("--site", help="only this site (site code)")
        parser.add_argument(
            "--labels",
            action="store_true",
            help="Dutch labels instead of codes (to read in a spreadsheet; not for re-import)",
        )

    def handle(self, *args, year: int | None, site: str | None, labels: bool = False, **options):
        with translation.override(settings.LANGUAGE_CODE):
            site_obj = None
            if site is not None:
                site_obj = Site.objects.filter(code=site).first()
                if site_obj is None:
                    raise CommandError(_("Unknown site “%(code)s”.") % {"code": site})
            if year is not None and not 1 <= year <= 9998:
                raise CommandError(_("Year %(year)s is out of range.") % {"year": year})
            out = self.stdout._out
            if out is sys.stdout and isinstance(out, io.TextIOWrapper):
                # The file is UTF-8 with CRLF rows whatever the terminal's locale says.
                out.reconfigure(encoding="utf-8", newline="")
            rows = contacts_export(
                _Unterminated(self.stdout), year=year, site=site_obj, labels=labels
            )
            audit_record(
                action=Action.EXPORT,
                username=cli_username(),
                object_type="contact",
                site_code=site or "",
                detail=f"export_contacts year={year or 'all'} site={site or 'all'} rows={rows}"
                + (" labels=1" if labels else ""),
            )


class _Unterminated:
    """Writes through the command's stdout without the newline it appends to each write."""

    def __init__(self, wrapper):
        self.wrapper = wrapper

    def write(self, text: str) -> None:
        self.wrapper.write(text, ending="")
