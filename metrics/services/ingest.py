# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""Survey response ingest: validate every row, then save all of them or (when asked) the valid ones.

Rows stream through the validator into a temporary staging table (PostgreSQL: COPY; SQLite:
executemany), so memory stays bounded whatever the file size. Duplicates inside the file are
found in SQL on the staging table. Only then does one INSERT … SELECT … ON CONFLICT (source,
external_id) DO NOTHING move rows into place — a rejected file leaves nothing behind, and
responses already stored are counted, not added twice.
"""

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from typing import Any, TextIO

from django.db import connection, transaction
from django.utils import timezone

from metrics.services.rollups import acquire_rollup_lock
from metrics.validation import HeaderError, ResponseValidator, RowError, ValidRow, read_csv

MAX_REPORTED_ERRORS = 100
BATCH_ROWS = 20_000
_STAGING = "metrics_response_staging"
_STAGING_COLUMNS = (
    "row_number, external_id, touchpoint_id, metric, score, responded_at, customer_id, "
    "segment, comment"
)


@dataclass
class ImportReport:
    rows_read: int = 0
    inserted: int = 0
    already_present: int = 0
    skipped_invalid: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    rejected: bool = False
    dry_run: bool = False

    def add_error(self, error: RowError) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(error)

    @property
    def summary(self) -> str:
        if self.rejected:
            return (
                f"Rejected: {self.error_count} problem(s) in {self.rows_read} row(s); "
                "nothing was saved. Fix the rows listed, or import with “skip invalid rows”."
            )
        verb = "would be added" if self.dry_run else "added"
        parts = [f"{self.rows_read} row(s) read", f"{self.inserted} {verb}"]
        if self.already_present:
            parts.append(f"{self.already_present} already present (not added again)")
        if self.skipped_invalid:
            parts.append(f"{self.skipped_invalid} invalid row(s) skipped")
        if self.rows_read and not self.inserted and not self.skipped_invalid:
            parts.append("nothing new: this data was imported before")
        return "; ".join(parts) + "."

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "inserted": self.inserted,
            "already_present": self.already_present,
            "skipped_invalid": self.skipped_invalid,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "error_count": self.error_count,
            "errors": [{"row": e.row, "column": e.column, "reason": e.reason} for e in self.errors],
            "summary": self.summary,
        }


class _Abandon(Exception):
    """Rolls the import's transaction back (rejected file or dry run)."""


def response_import(
    *,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str = "import",
    skip_invalid: bool = False,
    dry_run: bool = False,
    queue_rollup: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and save survey responses given as (row number, mapping) pairs.

    Any invalid row rejects the whole batch (nothing saved) unless `skip_invalid`; `dry_run`
    reports what would happen and saves nothing. After a commit that added responses, an
    incremental roll-up is queued (unless `queue_rollup` is False, e.g. for a large backfill
    followed by `rollup_rebuild`).
    """
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            _stage_and_insert(rows, source, skip_invalid, report, on_progress)
            if report.rejected or dry_run:
                raise _Abandon
            if report.inserted and queue_rollup:
                from cco.queue import enqueue_on_commit
                from metrics.tasks import rollup_incremental_task

                enqueue_on_commit(rollup_incremental_task)
    except _Abandon:
        pass
    return report


def response_import_csv(
    *,
    stream: TextIO,
    source: str = "import",
    skip_invalid: bool = False,
    dry_run: bool = False,
    queue_rollup: bool = True,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """`response_import` over a CSV text stream (read row by row, never whole)."""
    try:
        rows = read_csv(stream)
        first = next(rows, None)
    except HeaderError as exc:
        report = ImportReport(rejected=True, dry_run=dry_run)
        report.add_error(RowError(1, "(header)", str(exc)))
        return report

    def all_rows() -> Iterable[tuple[int, Mapping[str, Any]]]:
        if first is not None:
            yield first
            yield from rows

    return response_import(
        rows=all_rows(),
        source=source,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        queue_rollup=queue_rollup,
        on_progress=on_progress,
    )


def _stage_and_insert(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    skip_invalid: bool,
    report: ImportReport,
    on_progress: Callable[[int], None] | None,
) -> None:
    # Shared: many imports may run together, but not while a roll-up moves the watermark.
    acquire_rollup_lock(shared=True)
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} (row_number integer, external_id text, "
            "touchpoint_id bigint, metric text, score smallint, responded_at "
            f"{'timestamptz' if postgres else 'datetime'}, customer_id text, segment text, "
            f"comment text){' ON COMMIT DROP' if postgres else ''}"
        )
        validator = ResponseValidator()
        batch: list[ValidRow] = []
        for number, data in rows:
            report.rows_read += 1
            result = validator.validate(number, data)
            if isinstance(result, ValidRow):
                batch.append(result)
                if len(batch) >= BATCH_ROWS:
                    _write_batch(cursor, batch, postgres)
                    batch = []
                    if on_progress:
                        on_progress(report.rows_read)
            else:
                report.skipped_invalid += 1
                for error in result:
                    report.add_error(error)
        _write_batch(cursor, batch, postgres)
        if on_progress:
            on_progress(report.rows_read)
        _check_duplicates(cursor, report)
        if report.error_count and not skip_invalid:
            report.rejected = True
            report.skipped_invalid = 0
            return
        cursor.execute(
            "INSERT INTO metrics_surveyresponse (touchpoint_id, metric, score, responded_at, "
            "source, external_id, customer_id, segment, comment, received_at) "
            "SELECT touchpoint_id, metric, score, responded_at, %s, external_id, customer_id, "
            f"segment, comment, %s FROM {_STAGING} WHERE row_number > 0 ORDER BY row_number "
            "ON CONFLICT (source, external_id) DO NOTHING",
            [source, timezone.now()],
        )
        report.inserted = max(cursor.rowcount, 0)
        valid = report.rows_read - report.skipped_invalid
        report.already_present = valid - report.inserted
        if not postgres:
            cursor.execute(f"DROP TABLE {_STAGING}")


def _write_batch(cursor: Any, batch: list[ValidRow], postgres: bool) -> None:
    if not batch:
        return
    # In UTC: Python reads offsets up to ±23:59, PostgreSQL stores only those up to ±15:59.
    values = (
        (r.row, r.external_id, r.touchpoint_id, r.metric, r.score, r.responded_at.astimezone(UTC),
         r.customer_id, r.segment, r.comment)
        for r in batch
    )  # fmt: skip
    if postgres:
        buffer = io.StringIO()
        csv.writer(buffer).writerows(values)
        buffer.seek(0)
        cursor.cursor.copy_expert(
            f"COPY {_STAGING} ({_STAGING_COLUMNS}) FROM STDIN WITH (FORMAT csv, "
            "FORCE_NOT_NULL (customer_id, segment, comment))",
            buffer,
        )
    else:
        cursor.executemany(
            f"INSERT INTO {_STAGING} ({_STAGING_COLUMNS}) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            list(values),
        )


def _check_duplicates(cursor: Any, report: ImportReport) -> None:
    """Report every later occurrence of an external id seen earlier in the same file."""
    later = (
        "SELECT row_number, external_id, first_row FROM (SELECT row_number, external_id, "
        "MIN(row_number) OVER (PARTITION BY external_id) AS first_row FROM "
        f"{_STAGING}) AS s WHERE row_number > first_row"
    )
    cursor.execute(f"SELECT COUNT(*) FROM ({later}) AS d")
    count = cursor.fetchone()[0]
    if not count:
        return
    cursor.execute(f"{later} ORDER BY row_number LIMIT {MAX_REPORTED_ERRORS}")
    duplicates = [
        RowError(row, "external_id", f"duplicate of row {first} ({external_id!r})")
        for row, external_id, first in cursor.fetchall()
    ]
    # Keep the report ordered by row and capped, with duplicates counted in.
    merged = sorted([*report.errors, *duplicates], key=lambda e: e.row)[:MAX_REPORTED_ERRORS]
    report.errors = merged
    report.error_count += count
    report.skipped_invalid += count
    cursor.execute(
        f"DELETE FROM {_STAGING} WHERE row_number IN (SELECT row_number FROM ({later}) AS d)"
    )
