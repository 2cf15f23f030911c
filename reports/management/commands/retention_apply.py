"""`python manage.py retention_apply [--dry-run]`: remove the personal content past
retention and purge old audit entries (reports/services/retention.py); prints the counts."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from reports.services.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Pas de bewaartermijnen toe: wis notities, relaties van slachtoffers en dossierkoppelingen "
        "van contacten ouder dan RETENTION_CONTACT_YEARS (alleen voor dagen die al in de "
        "aggregaten zitten) en auditregels ouder dan RETENTION_AUDIT_YEARS. Toont alleen aantallen."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Only count what would be removed.")
        )

    def handle(self, *args, dry_run, **options):
        result = retention_apply(dry_run=dry_run)
        if dry_run:
            self.stdout.write(_("Dry run: nothing was removed."))
        self.stdout.write(
            _("Contacts from before %(day)s, audit entries from before %(at)s.")
            % {"day": result.contacts_before.isoformat(), "at": result.audit_before.isoformat()}
        )
        for name, value in result.counts().items():
            self.stdout.write(f"{name}: {value}")
