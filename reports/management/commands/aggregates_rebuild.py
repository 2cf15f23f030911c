"""`python manage.py aggregates_rebuild [--from D] [--to D] [--force]`: rebuild the report
aggregates. `--force` first breaks the lock of a rebuild that seems to run (docs/deploy.md)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact
from meldpunt.progress import command_progress
from reports.services.aggregates import (
    AggregatesBusy,
    aggregates_lock_break,
    aggregates_rebuild_changed,
    aggregates_rebuild_range,
)
from staffing.services.time import day_start


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
        self.verbosity = options["verbosity"]
        if force and aggregates_lock_break():
            self.stderr.write(_("The lock of another rebuild was broken."))
        try:
            if first is None and last is None:
                with command_progress(self, _("Aggregates"), None, _("days")) as bar:
                    run = aggregates_rebuild_changed(progress=lambda d, n: bar.update(d, d))
            else:
                today = timezone.localdate()
                first = first or date(today.year, 1, 1)
                last = last or today
                if last < first:
                    raise CommandError(_("--to lies before --from."))
                with command_progress(self, _("Aggregates"), 1, _("contacts")) as bar:
                    contacts = self._contacts_between(first, last) if bar.active else 0

                    def progress(done: int, total: int) -> None:
                        bar.update(done / total, round(contacts * done / total))

                    run = aggregates_rebuild_range(first, last, progress=progress)
        except AggregatesBusy as exc:
            raise CommandError(_("Another rebuild of the aggregates is running.")) from exc
        seconds = (run.finished_at - run.started_at).total_seconds()
        if self.verbosity < 1:
            return
        self.stdout.write(
            _("%(days)s days rebuilt (%(first)s to %(last)s) in %(seconds).2f s.")
            % {
                "days": run.days_rebuilt,
                "first": run.first_day or "-",
                "last": run.last_day or "-",
                "seconds": seconds,
            }
        )

    @staticmethod
    def _contacts_between(first: date, last: date) -> int:
        """The rate of the bar counts contacts (what a rebuild's time grows with)."""
        return Contact.objects.filter(
            started_at__gte=day_start(first), started_at__lt=day_start(last + timedelta(days=1))
        ).count()
