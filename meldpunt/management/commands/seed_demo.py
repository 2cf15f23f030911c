"""`python manage.py seed_demo`: the demo database of `make run`, idempotent and seeded.

A composition root (DESIGN.md): it calls each app's demo builder, then builds the aggregates.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from contacts import demo, demo_attempts
from reports.demo import demo_aggregates_build
from staffing.demo import staffing_demo_seed


class Command(BaseCommand):
    help = (
        "Vul de database met demogebruikers (één per rol en site) en enkele jaren fictieve "
        "contacten. Een tweede keer verandert niets en toont enkel de logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="Toevalszaad (standaard 1712)."
        )
        parser.add_argument(
            "--years", type=int, default=3, help="Kalenderjaren tot en met vandaag (standaard 3)."
        )
        parser.add_argument(
            "--contacts-per-year",
            type=int,
            default=demo.CONTACTS_PER_YEAR,
            help="Contacten in een volledig jaar (tests gebruiken een klein aantal).",
        )
        parser.add_argument(
            "--until",
            type=date.fromisoformat,
            default=None,
            help="Laatste dag, JJJJ-MM-DD (standaard en hoogstens: vandaag).",
        )

    def handle(self, *args, seed, years, contacts_per_year, until, **options):
        if years < 1 or contacts_per_year < 0:
            raise CommandError("--years moet minstens 1 zijn en --contacts-per-year minstens 0.")
        plan = demo.DemoPlan.build(
            seed=seed, years=years, contacts_per_year=contacts_per_year, until=until
        )
        # Each step takes the plan, is idempotent and returns one line for the log; a step
        # draws from its own random stream (plan.rng), so adding one changes no other data.
        steps = [
            demo.demo_users_ensure,
            demo.demo_contacts_generate,
            demo_attempts.demo_attempts_generate,
            demo_attempts.demo_campaign_ensure,
            lambda plan: staffing_demo_seed(rng=plan.rng("staffing"), today=plan.last_day),
            # Last: the aggregates cover everything above, as after the nightly run.
            demo_aggregates_build,
        ]
        with transaction.atomic(durable=True):
            for step in steps:
                self.stdout.write(step(plan))
        self.stdout.write(demo.logins_table())
