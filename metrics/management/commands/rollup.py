from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from metrics.services import rollup_incremental, rollup_rebuild


class Command(BaseCommand):
    help = "Roll survey responses up into scores: new responses only, or --rebuild everything."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--rebuild", action="store_true", help="Recompute every roll-up from raw responses."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = rollup_rebuild() if options["rebuild"] else rollup_incremental()
        span = f" ({result.first_day} to {result.last_day})" if result.first_day else ""
        self.stdout.write(
            f"Rolled up {result.responses:,} response(s){span} in {result.seconds:.2f} s; "
            f"{len(result.breach_ids)} new breach(es)."
        )
