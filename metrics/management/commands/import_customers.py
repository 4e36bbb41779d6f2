from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from cco.importing import open_text
from metrics.services.customers import customer_outcomes_import_csv


class Command(BaseCommand):
    help = (
        "Import customer outcomes (customer_id,retained[,revenue]) for the say-versus-do view. "
        "Exits with status 2 when the file is rejected (nothing is saved then)."
    )

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
        with path.open("rb") as binary, open_text(binary) as stream:
            report = customer_outcomes_import_csv(
                stream=stream, as_of=options["as_of"] or timezone.localdate()
            )
        # Exit status 2 for a refused file, as import_responses: 1 is left to failures.
        if report.header_problem:
            raise CommandError(f"{path}: {report.header_problem} Nothing was saved.", returncode=2)
        if report.rejected:
            for error in report.errors:
                self.stderr.write(f"row {error.row}, {error.column}: {error.reason}")
            problems = f"{report.error_count} problem(s) in {report.rows} rows"
            raise CommandError(f"{path}: {problems}; nothing was saved.", returncode=2)
        self.stdout.write(self.style.SUCCESS(f"{report.saved} customer outcomes saved."))
