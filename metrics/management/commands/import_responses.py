import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cco.importing import open_text
from cco.models import User
from metrics.services.ingest import response_import_file


class Command(BaseCommand):
    help = (
        "Import survey responses from a CSV file (header: external_id,touchpoint,metric,score,"
        "responded_at[,customer_id,segment,comment]), UTF-8 or UTF-16 with its byte order mark. "
        "Without --as it imports for every touch point, as an operator's tool. Exits with status "
        "2 when the file is rejected (nothing is saved then)."
    )
    # Only the check that bears on an import: can the database be reached (one line naming
    # it). A broker outage does not stop an import: its roll-up is left to the catch-up run,
    # said in one warning line. The full set imports every page's views and charts, which
    # took over a second before the first row was read.
    requires_system_checks = ["cco_database"]

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV file, UTF-8; '-' reads standard input.")
        parser.add_argument(
            "--source", default="import", help="Where the responses come from (default: import)."
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Save the valid rows and report the invalid ones instead of rejecting the file.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Validate and report; save nothing."
        )
        parser.add_argument(
            "--no-rollup",
            action="store_true",
            help="Do not queue a roll-up afterwards (for backfills followed by rollup_rebuild).",
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=(
                "For a large backfill on PostgreSQL: rebuild the response table's secondary "
                "indexes and foreign keys once after the load instead of row by row. Pages that "
                "read responses wait until the import commits."
            ),
        )
        parser.add_argument(
            "--as",
            dest="as_user",
            metavar="USERNAME",
            help=(
                "Import as this person, with their rights: a department head only for the touch "
                "points their department owns (any other row is refused), the CCO for all. "
                "Without it the command is an operator's tool and imports for every touch point."
            ),
        )
        parser.add_argument("--no-progress", action="store_true", help="No progress line.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        if path != "-" and not Path(path).is_file():
            raise CommandError(f"{path}: no such file")
        started = time.perf_counter()
        show = not options["no_progress"]

        def progress(rows: int) -> None:
            if show:
                rate = rows / max(time.perf_counter() - started, 1e-9)
                sys.stderr.write(f"\r{rows:,} rows read · {rate:,.0f} rows/s")
                sys.stderr.flush()

        importer = self._importer(options["as_user"])
        binary = sys.stdin.buffer if path == "-" else open(path, "rb")  # noqa: SIM115
        stream = open_text(binary)
        try:
            report = response_import_file(
                stream=stream,
                source=options["source"],
                skip_invalid=options["skip_invalid"],
                dry_run=options["dry_run"],
                queue_rollup=not options["no_rollup"],
                bulk=options["bulk"],
                on_progress=progress,
                importer=importer,
            )
        finally:
            stream.detach()
            if binary is not sys.stdin.buffer:
                binary.close()
        if show:
            sys.stderr.write("\n")
        seconds = time.perf_counter() - started
        for error in report.errors:
            self.stderr.write(f"row {error.row}, {error.column}: {error.reason}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"… and {report.error_count - len(report.errors)} more problem(s)")
        rate = report.rows_read / seconds if seconds else 0
        self.stdout.write(f"{report.summary} ({seconds:.1f} s, {rate:,.0f} rows/s)")
        if report.rejected:
            raise CommandError("The file was rejected; nothing was saved.", returncode=2)

    def _importer(self, username: str | None) -> Any:
        """The person named by --as, who must be allowed to import; None without it."""
        if username is None:
            return None
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"--as {username}: no such user")
        if not person.has_perm("cco.import_responses"):
            raise CommandError(f"--as {username}: this person may not import responses")
        return person
