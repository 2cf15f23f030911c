"""`roster_propose --input FILE.json [--seconds N] --output FILE.json`: the solver on a file."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from staffing.services.proposal import solver_options
from staffing.solver import InstanceError, roster_propose


class Command(BaseCommand):
    help = "Propose a roster for a Roster instance (DESIGN.md) and write the proposal JSON."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="Roster instance JSON file")
        parser.add_argument("--output", required=True, help="where to write the proposal")
        parser.add_argument("--seconds", type=float, default=settings.ROSTER_SECONDS)

    def handle(self, *args, **options):
        if not 0 < options["seconds"] <= 3600:
            raise CommandError("--seconds: between 0 and 3600")
        try:
            with open(options["input"], encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(f"{options['input']}: {error}") from error
        try:
            result = roster_propose(data, seconds=options["seconds"], **solver_options())
        except InstanceError as error:
            raise CommandError(str(error)) from error
        with open(options["output"], "w", encoding="utf-8") as target:
            json.dump(result, target, indent=1)
            target.write("\n")
        self.stdout.write(
            f"{result['status']}: {len(result['assignments'])} toewijzingen, "
            f"{result['unmet_hours']} uur onbezet, gap {result['gap']}, {result['seconds']} s"
        )
