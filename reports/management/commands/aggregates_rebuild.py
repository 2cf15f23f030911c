"""`python manage.py aggregates_rebuild [--from D] [--to D] [--force]`: rebuild the report
aggregates. `--force` first breaks the lock of a rebuild that seems to run (docs/deploy.md)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.services.aggregates import (
    AggregatesBusy,
    aggregates_lock_break,
    aggregates_rebuild_changed,
    aggregates_rebuild_range,
)


class Command(BaseCommand):
    help = (
        "Herbereken de aggregaten van de cijfers: zonder datums gisteren en elke dag die "
        "veranderde sinds de vorige nachtelijke run; met --from/--to elke dag van die periode."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", type=date.fromisoformat, help="JJJJ-MM-DD")
        parser.add_argument("--to", dest="last", type=date.fromisoformat, help="JJJJ-MM-DD")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Breek eerst het slot van een herberekening die nog lijkt te lopen.",
        )

    def handle(self, *args, first, last, force=False, **options):
        if force and aggregates_lock_break():
            self.stderr.write(_("The lock of another rebuild was broken."))
        try:
            if first is None and last is None:
                run = aggregates_rebuild_changed()
            else:
                today = timezone.localdate()
                first = first or date(today.year, 1, 1)
                last = last or today
                if last < first:
                    raise CommandError(_("--to lies before --from."))
                run = aggregates_rebuild_range(first, last)
        except AggregatesBusy as exc:
            raise CommandError(_("Another rebuild of the aggregates is running.")) from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            _("%(days)s days rebuilt (%(first)s to %(last)s) in %(seconds).2f s.")
            % {
                "days": run.days_rebuilt,
                "first": run.first_day or "-",
                "last": run.last_day or "-",
                "seconds": seconds,
            }
        )
