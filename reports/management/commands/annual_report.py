"""`python manage.py annual_report YEAR [--site CODE] --format json|csv|xlsx|pdf [--public]
[--output FILE]`: the annual figures, made by reports/services/exports.py like the report
page's downloads. XLSX and PDF are binary: to --output, or to a binary standard output.
Every run is written to the audit trail, as every export is.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from meldpunt.audit import Action, audit_record, cli_username
from reports.services.exports import (
    BINARY,
    FORMATS,
    WRITERS,
    PdfUnavailable,
    annual_report,
    export_bytes,
)
from reports.services.figures import annual_figures
from staffing.models import Site


class Command(BaseCommand):
    help = "Toon de jaarcijfers van een kalenderjaar (lokale tijd) als JSON, CSV, XLSX of PDF."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--site", help=_("Site code; without it, the whole line."))
        parser.add_argument("--format", default="json", choices=FORMATS, dest="output_format")
        parser.add_argument(
            "--public",
            action="store_true",
            help=_("Hide small counts (REPORT_SUPPRESSION_THRESHOLD), for publication."),
        )
        parser.add_argument("--output", help=_("File to write; without it, standard output."))

    def handle(self, *args, year, site, output_format, public, output, **options):
        if not 1 <= year <= 9998:
            raise CommandError(_("Year %(year)s is out of range.") % {"year": year})
        site_obj = None
        if site:
            site_obj = Site.objects.filter(code=site).first()
            if site_obj is None:
                raise CommandError(_("There is no site with code %(code)s.") % {"code": site})
        stream = None
        if not output:
            stream = getattr(self.stdout._out, "buffer", None) if output_format in BINARY else None
            if output_format in BINARY and (stream is None or self.stdout._out is not sys.stdout):
                raise CommandError(
                    _("The format %(format)s is binary: give --output FILE.")
                    % {"format": output_format}
                )
        report = annual_report(annual_figures(year, site_obj), public=public)
        try:
            if output:
                with open(output, "wb") as file:
                    file.write(export_bytes(report, output_format))
            elif stream is not None:
                stream.write(export_bytes(report, output_format))
                stream.flush()
            else:
                WRITERS[output_format](report, self.stdout._out)
        except PdfUnavailable as error:
            raise CommandError(str(error)) from error
        audit_record(
            action=Action.EXPORT,
            username=cli_username(),
            object_type="annual_report",
            object_ref=str(year),
            site_code=site or "",
            detail=(
                f"annual_report year={year} site={site or 'all'} format={output_format} "
                f"public={int(public)}"
            ),
        )
