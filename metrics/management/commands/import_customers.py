from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from metrics.services.customers import customer_outcomes_import_csv


class Command(BaseCommand):
    help = "Import customer outcomes (customer_id,retained[,revenue]) for the say-versus-do view."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as-of", type=date.fromisoformat, default=None,
            help="The date the figures describe (default: today).",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        with path.open(encoding="utf-8-sig", newline="") as stream:
            report = customer_outcomes_import_csv(
                stream=stream, as_of=options["as_of"] or timezone.localdate()
            )
        if report.header_problem:
            raise CommandError(f"{path}: {report.header_problem} Nothing was saved.")
        if report.rejected:
            for error in report.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.reason}")
            raise CommandError(
                f"{path}: {report.error_count} problem(s) in {report.rows} rows; nothing was saved."
            )
        self.stdout.write(self.style.SUCCESS(f"{report.saved} customer outcomes saved."))
