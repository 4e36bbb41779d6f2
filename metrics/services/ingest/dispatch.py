"""Which way a CSV file of responses goes in, and why.

Every path applies the same rules (metrics.validation) and gives the same report; they differ
only in how much of the work PostgreSQL does:

1. SQLite, a stream that cannot be read twice, or a header the validator refuses:
   python_path, every row through the Python validator.
2. A bulk import of a plain file: straight_in, COPY straight into the response table.
3. Any other file is copied into a staging table (staged_copy); if it is plain, plain_typed
   types and inserts it in one statement.
4. Otherwise, or if a plain file held a bad row after all: full_check judges every row in SQL.
A path that meets a row it cannot judge exactly as the validator would hands the whole file to
the next one, and a row only Python can judge sends the file back to path 1.

Paths 2 and 3 read only files without a quote, a NUL or a backslash; any other is re-read by
the one CSV reader (cco.importing.csv_rows), so a quote left open or a row past the length
limit stops every path at the same row with the same words.
"""

from collections.abc import Callable
from typing import Any, TextIO

from django.db import connection

from cco.importing import UnreadableFile, csv_rows, decoding_problem
from metrics.services.ingest import full_check, plain_typed, staged_copy, straight_in
from metrics.services.ingest.file_load import FileLoad
from metrics.services.ingest.python_path import response_import_csv
from metrics.services.ingest.report import ImportReport, import_transaction, unreadable_report
from metrics.validation import HeaderError, header_columns, touchpoints_writable_by


def response_import_file(
    *,
    stream: TextIO,
    source: str = "import",
    skip_invalid: bool = False,
    dry_run: bool = False,
    queue_rollup: bool = True,
    bulk: bool = False,
    on_progress: Callable[[int], None] | None = None,
    importer: Any = None,
) -> ImportReport:
    """Import a CSV file like `response_import_csv`, checking rows in SQL on PostgreSQL.

    Same rules, same report, same all-or-nothing transaction; the same `importer` rule (a person
    imports only for the touch points they may change). `bulk` (for a large backfill) also
    drops the response table's secondary indexes and foreign keys for the load and rebuilds
    them before commit; the table is locked against readers meanwhile. Other databases, and
    streams that cannot be re-read, use `response_import_csv`.
    """
    options: dict[str, Any] = {
        "source": source,
        "skip_invalid": skip_invalid,
        "dry_run": dry_run,
        "queue_rollup": queue_rollup,
        "on_progress": on_progress,
        "importer": importer,
    }
    if connection.vendor != "postgresql" or not stream.seekable():
        return response_import_csv(stream=stream, **options)
    start = stream.tell()
    header = _read_header(stream)
    if header is None:  # the validator words every header problem
        stream.seek(start)
        return response_import_csv(stream=stream, **options)
    report = ImportReport(dry_run=dry_run)
    writable = touchpoints_writable_by(importer)
    load = FileLoad(stream, start, header, source, report, on_progress, writable)
    try:
        with import_transaction(report, queue_rollup=queue_rollup):
            _copy(load, skip_invalid=skip_invalid, bulk=bulk and not dry_run)
    except full_check.Uncertain:
        stream.seek(start)
        return response_import_csv(stream=stream, **options)
    except UnreadableFile as problem:  # met while re-reading a file with quotes
        return unreadable_report(problem, dry_run=dry_run)
    except UnicodeDecodeError:  # met while streaming a plain-looking file to COPY
        return unreadable_report(decoding_problem(stream), dry_run=dry_run)
    return report


def _copy(load: FileLoad, *, skip_invalid: bool, bulk: bool) -> None:
    """Paths 2 to 4, the fastest that can take the file."""
    with connection.cursor() as cursor:
        if bulk and straight_in.copy_straight_in(load, cursor):
            return
        staged_copy.copy_into_staging(load, cursor)
        if load.scan.plain and plain_typed.insert_plain(load, cursor, bulk=bulk):
            return
        full_check.check_and_insert(load, cursor, skip_invalid=skip_invalid, bulk=bulk)


def _read_header(stream: TextIO) -> list[str] | None:
    """The file's normalised column names, or None when the validator would refuse them."""
    try:
        _, raw = next(csv_rows(stream))
        return header_columns(raw)
    except (StopIteration, UnreadableFile, HeaderError):
        return None
