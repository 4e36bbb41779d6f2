import importlib
import importlib.util
import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cco.demo import DEMO_PASSWORD, Progress, seed_organisation

# Each app seeds its own demo data in <app>/demo.py with `seed(*, stdout, options)`, in this
# order: metrics needs the departments, roadmap and accountability need the touch points.
APP_SEEDERS = ["metrics", "roadmap", "accountability"]


class Command(BaseCommand):
    help = "Build a believable demo organisation, deterministically. Safe to re-run."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG=0 (it adds demo logins)."
        )
        parser.add_argument(
            "--responses",
            type=int,
            default=None,
            help="How many survey responses to generate over two years (default 280 000: over "
            "30 a week on every touch point and metric lately).",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Only the last DAYS days of the two years, at the same daily volume (quicker).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the organisation already has departments.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo adds demo logins with a known password; it refuses to run with "
                "DEBUG=0. Use --force if this really is a demo installation."
            )
        from cco.models import Department

        if options["if_empty"] and Department.objects.exists():
            self.stdout.write("Demo data already present; leaving it as it is.")
            self.print_logins()
            return
        started = time.perf_counter()
        self.stdout.write("Seeding the demo (about 15 s on SQLite); each step shows its time.")
        progress = Progress(self.stdout, "Organisation")
        logins = seed_organisation()
        progress.done(f"{len(logins) - 3} departments with their heads, executives, contributors")
        # With no broker, tasks run in-process: Celery logs a line for each and kombu warns
        # about its in-memory transport. Neither tells a newcomer anything here.
        logging.getLogger("celery.app.trace").setLevel(logging.WARNING)
        logging.getLogger("kombu.connection").setLevel(logging.ERROR)
        for app in APP_SEEDERS:
            if importlib.util.find_spec(f"{app}.demo") is None:
                continue
            importlib.import_module(f"{app}.demo").seed(stdout=self.stdout, options=options)
        self.stdout.write(
            self.style.SUCCESS(f"Demo seeded in {time.perf_counter() - started:.1f} s.")
        )
        self.print_logins()

    def print_logins(self) -> None:
        from cco.models import Department

        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD!r}):")
        self.stdout.write("  cco          Chief Customer Officer (also Django admin)")
        self.stdout.write("  executive    Executive, read-only (CEO)")
        self.stdout.write("  board        Executive, read-only (board chair)")
        for department in Department.objects.order_by("name"):
            self.stdout.write(f"  head-{department.slug:<20} head of {department.name}")
