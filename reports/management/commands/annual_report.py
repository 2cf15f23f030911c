"""`python manage.py annual_report YEAR [--site CODE] --format json|csv`: the annual figures.

A format is one function `(figures, out) -> None` in FORMATS; adding XLSX or PDF is adding one.
"""

import csv
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from reports.services.figures import annual_figures
from staffing.models import Site


def write_json(figures: dict, out) -> None:
    out.write(json.dumps(figures, sort_keys=True, ensure_ascii=False, indent=2) + "\n")


def figures_long_rows(figures: dict):
    """(table, row, column, value) for every number: a flat table any tool reads."""
    for table, content in figures.items():
        if isinstance(content, dict):
            for row, value in content.items():
                if isinstance(value, dict):
                    for column, number in value.items():
                        yield table, row, column, number
                else:
                    yield table, row, "", value
        else:
            yield table, "", "", "" if content is None else content


def write_csv(figures: dict, out) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    writer.writerows(figures_long_rows(figures))


FORMATS = {"json": write_json, "csv": write_csv}
# Formats announced for the report page's exports, not built yet.
PLANNED_FORMATS = ("xlsx", "pdf")


class Command(BaseCommand):
    help = "Toon de jaarcijfers van een kalenderjaar (lokale tijd) als JSON of CSV."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--site", help=_("Site code; without it, the whole line."))
        parser.add_argument(
            "--format", default="json", choices=[*FORMATS, *PLANNED_FORMATS], dest="output"
        )

    def handle(self, *args, year, site, output, **options):
        writer = FORMATS.get(output)
        if writer is None:
            raise CommandError(
                _("The format %(format)s is not available yet; use %(formats)s.")
                % {"format": output, "formats": ", ".join(FORMATS)}
            )
        site_obj = None
        if site:
            site_obj = Site.objects.filter(code=site).first()
            if site_obj is None:
                raise CommandError(_("There is no site with code %(code)s.") % {"code": site})
        writer(annual_figures(year, site_obj), self.stdout)
