# ruff: noqa: S608 - SQL is assembled only from this module's constants and the checked header;
# every value is a parameter.
"""Fast CSV ingest on PostgreSQL: the file goes by COPY into staging, the rows are checked in SQL.

The rules are the validator's (metrics.validation): SQL decides which rows are valid and how many
problems each has, and the validator itself words the first problems of the report, re-run on
those rows' raw text. Whatever SQL cannot judge exactly the way Python does (a date that is not
in the common ISO forms, a score in non-ASCII digits, a naive time near a DST change) sends the
whole file through the Python validator instead, so the report is the same either way
(tests/metrics/test_copy_ingest.py compares both on the same bad files).

The file is streamed straight into COPY unless it contains a double quote or a `\\.` line, where
PostgreSQL's CSV reading can differ from Python's: such files are re-read by Python's csv module
and re-written as plain CSV for COPY, which is slower but reads every row as the validator would.
"""

import csv
import io
import logging
import uuid
from collections.abc import Callable, Iterator
from typing import Any, TextIO

import psycopg2
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from metrics.models import SCORE_RANGES
from metrics.services.ingest import (
    MAX_REPORTED_ERRORS,
    ImportReport,
    _Abandon,
    response_import_csv,
)
from metrics.services.rollups import acquire_rollup_lock
from metrics.validation import (
    COLUMNS,
    EXTRA_VALUES,
    FUTURE_TOLERANCE,
    MAX_LENGTHS,
    HeaderError,
    ResponseValidator,
    RowError,
    read_csv,
)

logger = logging.getLogger(__name__)

COPY_CHUNK = 1 << 20
# Exactly the characters str.strip() removes, so btrim() trims as the validator does.
_WHITESPACE = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
# The ISO 8601 forms judged in SQL; anything else is judged by datetime.fromisoformat.
# (A match without capture groups: PostgreSQL's regexp_match with groups costs ~30 µs a row.)
_ISO_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}"
    r"(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)
_TARGET = "metrics_surveyresponse"


class _Irregular(Exception):
    """The file needs Python's csv module to be read as the validator reads it."""


class _Uncertain(Exception):
    """Some row needs the Python validator: the whole file goes that way."""


def response_import_file(
    *,
    stream: TextIO,
    source: str = "import",
    skip_invalid: bool = False,
    dry_run: bool = False,
    queue_rollup: bool = True,
    bulk: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a CSV file like `response_import_csv`, checking rows in SQL on PostgreSQL.

    Same rules, same report, same all-or-nothing transaction. `bulk` (for a large backfill)
    also drops the response table's secondary indexes and foreign keys for the load and rebuilds
    them before commit; the table is locked against readers meanwhile. Other databases, and
    streams that cannot be re-read, use `response_import_csv`.
    """
    options: dict[str, Any] = {
        "source": source,
        "skip_invalid": skip_invalid,
        "dry_run": dry_run,
        "queue_rollup": queue_rollup,
        "on_progress": on_progress,
    }
    if connection.vendor != "postgresql" or not stream.seekable():
        return response_import_csv(stream=stream, **options)
    start = stream.tell()
    header = _read_header(stream)
    if header is None:  # the validator words every header problem
        stream.seek(start)
        return response_import_csv(stream=stream, **options)
    report = ImportReport(dry_run=dry_run)
    try:
        with transaction.atomic():
            acquire_rollup_lock(shared=True)
            _Load(stream, start, header, source, report, on_progress).run(skip_invalid, bulk)
            if report.rejected or dry_run:
                raise _Abandon
            if report.inserted and queue_rollup:
                from cco.queue import enqueue_on_commit
                from metrics.tasks import rollup_incremental_task

                enqueue_on_commit(rollup_incremental_task)
    except _Abandon:
        pass
    except _Uncertain:
        stream.seek(start)
        return response_import_csv(stream=stream, **options)
    return report


def _read_header(stream: TextIO) -> list[str] | None:
    """The file's normalised column names, or None when the validator would refuse them."""
    try:
        raw = next(csv.reader(stream))
    except (StopIteration, csv.Error):
        return None
    line = io.StringIO()
    csv.writer(line).writerow(raw)
    line.seek(0)
    try:
        next(read_csv(line), None)
    except HeaderError:
        return None
    return [column.strip().lower().lstrip("\ufeff") for column in raw]


class _Chunks:
    """A file-like object COPY reads from, fed by an iterator of text chunks."""

    def __init__(self, chunks: Iterator[str]) -> None:
        self.chunks = chunks

    def read(self, size: int = -1) -> str:
        return next(self.chunks, "")

    readline = read


class _Load:
    def __init__(
        self,
        stream: TextIO,
        start: int,
        header: list[str],
        source: str,
        report: ImportReport,
        on_progress: Callable[[int], None] | None,
    ) -> None:
        self.stream, self.start, self.header = stream, start, header
        self.source, self.report, self.on_progress = source, report, on_progress
        suffix = uuid.uuid4().hex[:12]
        self.raw, self.checked = f"metrics_ingest_raw_{suffix}", f"metrics_ingest_ok_{suffix}"
        self.now = timezone.now()
        self.irregular = False

    # -- load --------------------------------------------------------------------------------

    def run(self, skip_invalid: bool, bulk: bool) -> None:
        with connection.cursor() as cursor:
            self._copy(cursor)
            self._check(cursor)
            cursor.execute(
                f"SELECT COUNT(*), COALESCE(SUM(errors), 0), COUNT(*) FILTER (WHERE errors > 0), "
                f"COUNT(*) FILTER (WHERE uncertain) FROM {self.checked}"
            )
            rows, errors, invalid_rows, uncertain = cursor.fetchone()
            if uncertain:
                raise _Uncertain
            report = self.report
            report.rows_read, report.error_count = rows, errors
            report.skipped_invalid = invalid_rows
            if errors:
                report.errors = self._word_errors(cursor)
            self._check_duplicates(cursor)
            if report.error_count and not skip_invalid:
                report.rejected = True
                report.skipped_invalid = 0
            else:  # a dry run inserts too, to count what is already present, then rolls back
                self._insert(cursor, bulk and not report.dry_run)
            cursor.execute(f"DROP TABLE {self.raw}, {self.checked}")

    def _create_raw(self, cursor: Any) -> None:
        columns = ", ".join(f"{column} text" for column in COLUMNS)
        cursor.execute(
            f"CREATE UNLOGGED TABLE {self.raw} (row_number bigint GENERATED BY DEFAULT AS "
            f"IDENTITY (START WITH 2), n_values integer, {columns})"
        )

    def _copy(self, cursor: Any) -> None:
        try:
            with transaction.atomic():
                self._create_raw(cursor)
                cursor.cursor.copy_expert(
                    f"COPY {self.raw} ({', '.join(self.header)}) FROM STDIN WITH (FORMAT csv)",
                    _Chunks(self._direct_chunks()),
                    size=COPY_CHUNK,
                )
                return
        except psycopg2.Error as exc:
            # psycopg2 reports an exception raised by read() as a cancelled COPY.
            if not (self.irregular or isinstance(exc, psycopg2.DataError)):
                raise
            # Blank lines, ragged rows, quotes: read the file as the validator does.
        self.stream.seek(self.start)
        next(csv.reader(self.stream))
        self._create_raw(cursor)
        cursor.cursor.copy_expert(
            f"COPY {self.raw} (row_number, n_values, {', '.join(self.header)}) "
            "FROM STDIN WITH (FORMAT csv)",
            _Chunks(self._reread_chunks()),
            size=COPY_CHUNK,
        )

    def _direct_chunks(self) -> Iterator[str]:
        lines, tail = 0, ""
        while chunk := self.stream.read(COPY_CHUNK):
            if '"' in chunk or "\\." in tail + chunk:
                self.irregular = True
                raise _Irregular
            tail = chunk[-1]
            lines += chunk.count("\n")
            if self.on_progress:
                self.on_progress(lines)
            yield chunk

    def _reread_chunks(self) -> Iterator[str]:
        width = len(self.header)
        padding = [""] * width
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        rows = 0
        for number, values in enumerate(csv.reader(self.stream), start=2):
            if not values:
                continue
            count = len(values)
            if count != width:
                values = (values + padding)[:width]
            writer.writerow((number, count, *values))
            rows += 1
            if rows % 20_000 == 0:
                if self.on_progress:
                    self.on_progress(rows)
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    # -- check -------------------------------------------------------------------------------

    def _check(self, cursor: Any) -> None:
        """One pass: trimmed and typed values, the number of problems, and rows SQL can't judge.

        Each step is a subquery with OFFSET 0, a fence that stops PostgreSQL from inlining it:
        inlined, every use of a column would re-evaluate its whole expression (the date's
        checks dozens of times a row).
        """
        tz = settings.TIME_ZONE if settings.USE_TZ else "UTC"
        lows = " ".join(f"WHEN '{m}' THEN {lo}" for m, (lo, _) in SCORE_RANGES.items())
        highs = " ".join(f"WHEN '{m}' THEN {hi}" for m, (_, hi) in SCORE_RANGES.items())
        # Naive times in a zone with DST: Python and PostgreSQL resolve a gap or an overlap
        # differently, so a naive time within three hours of a change is left to Python.
        near_dst = (
            "(zone IS NULL AND ((local - interval '3 hours') AT TIME ZONE %(tz)s) "
            "+ interval '6 hours' <> ((local + interval '3 hours') AT TIME ZONE %(tz)s))"
            if tz != "UTC"
            else "false"
        )
        cursor.execute(
            f"""
            CREATE UNLOGGED TABLE {self.checked} AS
            SELECT row_number, n_values, external_id, touchpoint_id, metric,
                CASE WHEN score_num BETWEEN lo AND hi THEN score_num::smallint END AS score,
                responded_at, customer_id, segment, comment,
                -- Judged by Python: lengths the validator cannot word, forms it may accept.
                char_length(slug) > 1000 OR metric_length > 1000
                OR (score_num IS NULL AND (score_text LIKE '%%\\_%%'
                    OR octet_length(score_text) <> char_length(score_text)))
                OR CASE WHEN NOT iso THEN when_text ~ '^[0-9]{{4}}'
                        AND substr(when_text, 1, 4) >= '2000'
                    WHEN zone <> 'Z' THEN substr(zone, 5, 2)::int > 59
                    ELSE false END
                OR (local IS NOT NULL AND {near_dst}) AS uncertain,
                (COALESCE(n_values, %(width)s) > %(width)s)::int
                + (external_id = '' OR char_length(external_id) > %(ext_len)s)::int
                + (touchpoint_id IS NULL)::int
                + (lo IS NULL)::int
                + (score_num IS NULL OR (lo IS NOT NULL AND score_num NOT BETWEEN lo AND hi))::int
                + (responded_at IS NULL OR responded_at > %(latest)s)::int
                + (char_length(customer_id) > %(customer_len)s)::int
                + (char_length(segment) > %(segment_len)s)::int
                + (char_length(comment) > %(comment_len)s)::int AS errors
            FROM (
                SELECT *, CASE WHEN local IS NULL THEN NULL
                    WHEN zone IS NULL THEN local AT TIME ZONE %(tz)s
                    WHEN zone = 'Z' THEN local AT TIME ZONE 'UTC'
                    ELSE (local - (substr(zone, 1, 1) || '1')::int * make_interval(
                        hours => substr(zone, 2, 2)::int, mins => substr(zone, 5, 2)::int))
                        AT TIME ZONE 'UTC'
                    END AS responded_at
                FROM (
                    SELECT *, CASE WHEN NOT parts_ok THEN NULL
                        WHEN substr(when_text, 9, 2)::int <= extract(day FROM make_date(
                            substr(when_text, 1, 4)::int, substr(when_text, 6, 2)::int, 1)
                            + interval '1 month - 1 day')
                        THEN left(when_text, char_length(when_text)
                            - COALESCE(char_length(zone), 0))::timestamp
                        END AS local
                    FROM (
                        SELECT *, CASE WHEN NOT iso THEN false
                            WHEN zone <> 'Z' AND substr(zone, 2, 2)::int > 23 THEN false
                            ELSE substr(when_text, 1, 4)::int >= 2000
                                AND substr(when_text, 6, 2)::int BETWEEN 1 AND 12
                                AND substr(when_text, 9, 2)::int >= 1
                                AND (char_length(when_text) = 10 OR (
                                    substr(when_text, 12, 2)::int <= 23
                                    AND substr(when_text, 15, 2)::int <= 59
                                    AND (substr(when_text, 17, 1) <> ':'
                                        OR substr(when_text, 18, 2)::int <= 59)))
                            END AS parts_ok
                        FROM (
                            SELECT t.*, tp.id AS touchpoint_id,
                                CASE t.metric {lows} END AS lo,
                                CASE t.metric {highs} END AS hi,
                                CASE WHEN t.score_text ~ '^[+-]?[0-9]+$'
                                    THEN t.score_text::numeric END AS score_num,
                                t.when_text ~ %(iso)s AS iso,
                                CASE WHEN right(t.when_text, 1) = 'Z' THEN 'Z'
                                    WHEN char_length(t.when_text) > 16 AND substr(t.when_text,
                                        char_length(t.when_text) - 5, 1) IN ('+', '-')
                                    THEN right(t.when_text, 6)
                                END AS zone
                            FROM (
                                SELECT row_number, n_values,
                                    btrim(COALESCE(external_id, ''), %(ws)s) AS external_id,
                                    btrim(COALESCE(touchpoint, ''), %(ws)s) AS slug,
                                    lower(btrim(COALESCE(metric, ''), %(ws)s)) AS metric,
                                    char_length(btrim(COALESCE(metric, ''), %(ws)s))
                                        AS metric_length,
                                    btrim(COALESCE(score, ''), %(ws)s) AS score_text,
                                    btrim(COALESCE(responded_at, ''), %(ws)s) AS when_text,
                                    btrim(COALESCE(customer_id, ''), %(ws)s) AS customer_id,
                                    btrim(COALESCE(segment, ''), %(ws)s) AS segment,
                                    btrim(COALESCE(comment, ''), %(ws)s) AS comment
                                FROM {self.raw} OFFSET 0
                            ) AS t
                            LEFT JOIN metrics_touchpoint tp ON tp.slug = t.slug
                            OFFSET 0
                        ) AS a OFFSET 0
                    ) AS b OFFSET 0
                ) AS c OFFSET 0
            ) AS d
            """,
            {
                "ws": _WHITESPACE,
                "iso": _ISO_RE,
                "tz": tz,
                "width": len(self.header),
                "latest": self.now + FUTURE_TOLERANCE,
                "ext_len": MAX_LENGTHS["external_id"],
                "customer_len": MAX_LENGTHS["customer_id"],
                "segment_len": MAX_LENGTHS["segment"],
                "comment_len": MAX_LENGTHS["comment"],
            },
        )

    def _word_errors(self, cursor: Any) -> list[RowError]:
        """The validator's own words for the first problems, from those rows' raw text."""
        present = ", ".join(f"r.{column}" for column in self.header)
        cursor.execute(
            f"SELECT c.row_number, c.n_values, c.errors, {present} FROM {self.checked} c "
            f"JOIN {self.raw} r USING (row_number) WHERE c.errors > 0 "
            f"ORDER BY c.row_number LIMIT {MAX_REPORTED_ERRORS}"
        )
        validator = ResponseValidator(now=self.now)
        width = len(self.header)
        words: list[RowError] = []
        for number, n_values, count, *values in cursor.fetchall():
            given = width if n_values is None else min(n_values, width)
            data = {
                column: value or ""
                for column, value in zip(self.header[:given], values, strict=False)
            }
            if n_values is not None and n_values > width:
                data[EXTRA_VALUES] = str(n_values)
            result = validator.validate(number, data)
            if not isinstance(result, list) or len(result) != count:
                logger.warning("row %s: SQL and Python validators disagree", number)
                raise _Uncertain
            words.extend(result)
        return words[:MAX_REPORTED_ERRORS]

    def _check_duplicates(self, cursor: Any) -> None:
        """Every later occurrence of an external id seen on an earlier valid row."""
        cursor.execute(
            f"SELECT COUNT(*) FROM (SELECT external_id FROM {self.checked} WHERE errors = 0 "
            "GROUP BY external_id HAVING COUNT(*) > 1) AS d"
        )
        if not cursor.fetchone()[0]:
            return
        later = (
            "SELECT row_number, external_id, first_row FROM (SELECT row_number, external_id, "
            "MIN(row_number) OVER (PARTITION BY external_id) AS first_row FROM "
            f"{self.checked} WHERE errors = 0) AS s WHERE row_number > first_row"
        )
        cursor.execute(f"CREATE TEMPORARY TABLE {self.checked}_dup ON COMMIT DROP AS {later}")
        cursor.execute(f"SELECT COUNT(*) FROM {self.checked}_dup")
        count = cursor.fetchone()[0]
        cursor.execute(
            f"SELECT row_number, external_id, first_row FROM {self.checked}_dup "
            f"ORDER BY row_number LIMIT {MAX_REPORTED_ERRORS}"
        )
        duplicates = [
            RowError(row, "external_id", f"duplicate of row {first} ({external_id!r})")
            for row, external_id, first in cursor.fetchall()
        ]
        report = self.report
        report.errors = sorted([*report.errors, *duplicates], key=lambda e: e.row)[
            :MAX_REPORTED_ERRORS
        ]
        report.error_count += count
        report.skipped_invalid += count
        cursor.execute(
            f"UPDATE {self.checked} SET errors = 1 WHERE row_number IN "
            f"(SELECT row_number FROM {self.checked}_dup)"
        )

    # -- insert ------------------------------------------------------------------------------

    def _insert(self, cursor: Any, bulk: bool) -> None:
        report = self.report
        columns = (
            f"INSERT INTO {_TARGET} (touchpoint_id, metric, score, responded_at, source, "
            "external_id, customer_id, segment, comment, received_at) "
            "SELECT touchpoint_id, metric, score, responded_at, %s, external_id, customer_id, "
            f"segment, comment, %s FROM {self.checked} WHERE errors = 0"
        )
        if not bulk:
            cursor.execute(
                f"{columns} ORDER BY row_number ON CONFLICT (source, external_id) DO NOTHING",
                [self.source, self.now],
            )
            report.inserted = max(cursor.rowcount, 0)
            report.already_present = report.rows_read - report.skipped_invalid - report.inserted
            return
        # No other writer can run from here to commit, so responses already stored can be set
        # aside by a join (while the unique index is there to serve it), and the rows go in by
        # a plain INSERT with only the primary key to maintain.
        cursor.execute(f"LOCK TABLE {_TARGET} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(
            f"DELETE FROM {self.checked} c USING {_TARGET} s WHERE c.errors = 0 "
            "AND s.source = %s AND s.external_id = c.external_id",
            [self.source],
        )
        report.already_present = max(cursor.rowcount, 0)
        rebuild = _drop_secondary_structures(cursor)
        cursor.execute(f"{columns} ORDER BY row_number", [self.source, self.now])
        report.inserted = max(cursor.rowcount, 0)
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in rebuild:
            cursor.execute(statement)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _drop_secondary_structures(cursor: Any) -> list[str]:
    """Drop the response table's indexes and constraints but its primary key; return how to
    rebuild them (the caller holds an ACCESS EXCLUSIVE lock).

    Built once from sorted data, an index costs a fraction of a million random insertions, and
    one foreign-key validation join replaces a million per-row trigger checks. Rebuilding the
    unique (source, external_id) constraint re-proves that no response was stored twice.
    """
    quote = connection.ops.quote_name
    # ALTER TABLE refuses while deferred checks of this transaction's earlier writes are pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        [_TARGET],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'u') ORDER BY contype DESC",
        [_TARGET],
    )
    constraints = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f"ALTER TABLE {_TARGET} DROP CONSTRAINT {quote(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    return [definition for _, definition in indexes] + [
        f"ALTER TABLE {_TARGET} ADD CONSTRAINT {quote(name)} {definition}"
        for name, definition in constraints
    ]
