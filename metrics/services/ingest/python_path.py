# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""The path every database runs: each row through the Python validator, then one INSERT.

Used by the REST API, on SQLite, and for any file the faster PostgreSQL paths leave to the
validator. Rows stream through the validator into a temporary staging table (PostgreSQL: COPY;
SQLite: executemany), so memory stays bounded whatever the file size. Duplicates inside the
file are found in SQL on the staging table. Only then does one INSERT … SELECT … ON CONFLICT
(source, external_id) DO NOTHING move rows into place — a rejected file leaves nothing behind,
and responses already stored are counted, not added twice.
"""

import csv
import io
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC
from typing import Any, TextIO

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cco.importing import RowError, UnreadableFile
from metrics.models import SurveyResponse
from metrics.services.ingest.duplicates import duplicates_set_aside
from metrics.services.ingest.report import ImportReport, import_transaction, unreadable_report
from metrics.services.ingest.response_table import insert_staged
from metrics.validation import (
    HeaderError,
    ResponseValidator,
    ValidRow,
    read_csv,
    touchpoints_writable_by,
)

BATCH_ROWS = 20_000
_STAGING = "metrics_response_staging"
_STAGING_COLUMNS = (
    "row_number, external_id, touchpoint_id, metric, score, responded_at, customer_id, "
    "segment, comment"
)


def response_import(
    *,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str = "import",
    skip_invalid: bool = False,
    dry_run: bool = False,
    queue_rollup: bool = True,
    on_progress: Callable[[int], None] | None = None,
    importer: Any = None,
    live: bool = False,
) -> ImportReport:
    """Validate and save survey responses given as (row number, mapping) pairs.

    Any invalid row rejects the whole batch (nothing saved) unless `skip_invalid`; `dry_run`
    reports what would happen and saves nothing. After a commit that added responses, an
    incremental roll-up is queued (unless `queue_rollup` is False, e.g. for a large backfill
    followed by `rollup_rebuild`). `importer`, the person importing, may import only for the
    touch points they may change (a row for another is refused); None (an operator's command)
    for every one.
    """
    return _import_rows(
        rows,
        source=source,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        queue_rollup=queue_rollup,
        on_progress=on_progress,
        writable=touchpoints_writable_by(importer),
        live=live,
    )


def _import_rows(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    source: str,
    skip_invalid: bool,
    dry_run: bool,
    queue_rollup: bool,
    on_progress: Callable[[int], None] | None,
    writable: Collection[int] | None,
    live: bool = False,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    try:
        with import_transaction(report, queue_rollup=queue_rollup, live=live):
            _stage_and_insert(rows, source, skip_invalid, report, on_progress, writable)
    except UnreadableFile as problem:  # raised by read_csv: the transaction is undone
        return unreadable_report(problem, dry_run=dry_run)
    return report


def response_import_csv(
    *,
    stream: TextIO,
    source: str = "import",
    skip_invalid: bool = False,
    dry_run: bool = False,
    queue_rollup: bool = True,
    on_progress: Callable[[int], None] | None = None,
    importer: Any = None,
) -> ImportReport:
    """`response_import` over a CSV text stream (read row by row, never whole). A file that
    cannot be read as CSV (cco.importing.csv_rows) is rejected whole, naming where."""
    writable = touchpoints_writable_by(importer)
    try:
        rows = read_csv(stream)
        first = next(rows, None)
    except HeaderError as exc:
        report = ImportReport(rejected=True, dry_run=dry_run)
        report.add_error(RowError(1, "(header)", str(exc)))
        return report
    except UnreadableFile as problem:
        return unreadable_report(problem, dry_run=dry_run)

    def all_rows() -> Iterable[tuple[int, Mapping[str, Any]]]:
        if first is not None:
            yield first
            yield from rows

    return _import_rows(
        all_rows(),
        source=source,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        queue_rollup=queue_rollup,
        on_progress=on_progress,
        writable=writable,
    )


def _stage_and_insert(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    source: str,
    skip_invalid: bool,
    report: ImportReport,
    on_progress: Callable[[int], None] | None,
    writable: Collection[int] | None,
) -> None:
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_STAGING}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_STAGING} (row_number integer, external_id text, "
            "touchpoint_id bigint, metric text, score smallint, responded_at "
            f"{'timestamptz' if postgres else 'datetime'}, customer_id text, segment text, "
            f"comment text){' ON COMMIT DROP' if postgres else ''}"
        )
        validator = ResponseValidator(writable=writable)
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
        duplicates_set_aside(cursor, report, _STAGING)
        if report.error_count and not skip_invalid:
            report.rejected = True
            report.skipped_invalid = 0
            return
        report.inserted = insert_staged(
            cursor, _STAGING, source=source, now=timezone.now(), in_file_order=True
        )
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


def response_import_row(
    *, data: Mapping[str, Any], source: str, queue_rollup: bool = True, live: bool = False
) -> ImportReport:
    """`response_import` of a single row (a webhook's usual delivery), by the same validator
    and in the same transaction, without a staging table: one row has no other row to repeat.
    A response already stored under (source, external_id) is counted, not added again."""
    report = ImportReport(rows_read=1)
    with import_transaction(report, queue_rollup=queue_rollup, live=live):
        result = ResponseValidator().validate(1, data)
        if not isinstance(result, ValidRow):
            for error in result:
                report.add_error(error)
            report.rejected = True
        else:
            report.inserted = _insert_one(result, source)
            report.already_present = 1 - report.inserted
    return report


def _insert_one(row: ValidRow, source: str) -> int:
    fields = {
        "touchpoint_id": row.touchpoint_id,
        "metric": row.metric,
        "score": row.score,
        "responded_at": row.responded_at,
        "customer_id": row.customer_id,
        "segment": row.segment,
        "comment": row.comment,
    }
    try:
        with transaction.atomic():
            SurveyResponse.objects.create(source=source, external_id=row.external_id, **fields)
    except IntegrityError:
        # Only the unique (external_id, source) can refuse a row the validator passed.
        if not SurveyResponse.objects.filter(source=source, external_id=row.external_id).exists():
            raise
        return 0
    return 1
