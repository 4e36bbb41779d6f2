"""A CSV file on its way to PostgreSQL by COPY: what every COPY path shares about it."""

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from django.conf import settings
from django.db import connection
from django.utils import timezone

from cco.importing import csv_rows
from metrics.services.ingest.plain_files import PlainFileScan
from metrics.services.ingest.report import ImportReport


@dataclass
class FileLoad:
    stream: TextIO
    start: int  # where the header begins: a path that gives up reads the file again from here
    header: list[str]  # the normalised column names, in the file's order
    source: str
    report: ImportReport
    on_progress: Callable[[int], None] | None
    # The touch points the importer may write (metrics.validation.touchpoints_writable_by),
    # None for every one.
    writable: Collection[int] | None = None
    now: datetime = field(default_factory=timezone.now)
    raw: str = field(init=False)  # the staging table of the file's text (staged_copy)
    checked: str = field(init=False)  # the staging table of its checked rows (full_check)
    # PostgreSQL reads a naive date in the connection's zone (UTC), Python in TIME_ZONE.
    naive_dates_allowed: bool = field(init=False)
    scan: PlainFileScan = field(init=False)
    copied_rows: int = field(init=False, default=0)  # rows of the file in `raw`, once copied

    def __post_init__(self) -> None:
        suffix = uuid.uuid4().hex[:12]
        self.raw, self.checked = f"metrics_ingest_raw_{suffix}", f"metrics_ingest_ok_{suffix}"
        self.naive_dates_allowed = connection.timezone_name == "UTC" and settings.TIME_ZONE in (
            "UTC",
            "Etc/UTC",
        )
        self.scan = PlainFileScan(self.header, naive_dates_allowed=self.naive_dates_allowed)

    def rewind(self) -> None:
        """Back to the file's first data row."""
        self.stream.seek(self.start)
        next(csv_rows(self.stream))

    def progress(self, rows: int) -> None:
        if self.on_progress:
            self.on_progress(rows)
