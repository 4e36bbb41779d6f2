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

A plain file (metrics.services.plain_files: no padding, dates in the usual ISO form, checked in
Python while PostgreSQL reads the file) skips the row-by-row check: its rows are typed and joined
to the touch points and the score scales in one parallel CREATE TABLE AS, and the file is
accepted only if every row came through. If one did not — an unknown touch point, a score off
the scale, a date PostgreSQL refuses, an external id twice — that attempt is undone and the full
check words the report.

A bulk import tries a plain file the shortest way first: straight into the response table by
COPY, with the table's indexes set aside, Python putting each touch point's id in place of its
slug as the file streams, and the table's own types and a temporary check constraint refusing
whatever the validator would refuse. Any refusal undoes that attempt (a savepoint), and the file
takes the staged path above.
"""

import csv
import functools
import io
import itertools
import logging
import queue
import re
import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from typing import Any, TextIO

import psycopg2
from django.conf import settings
from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone

from metrics.models import SCORE_RANGES, SurveyResponse, Touchpoint
from metrics.services.ingest import (
    MAX_REPORTED_ERRORS,
    ImportReport,
    _Abandon,
    response_import_csv,
)
from metrics.services.plain_files import PlainFileScan, no_padding, plain_line_pattern
from metrics.services.rollups import acquire_rollup_lock
from metrics.validation import (
    COLUMNS,
    EXTRA_VALUES,
    FUTURE_TOLERANCE,
    MAX_LENGTHS,
    OPTIONAL_COLUMNS,
    HeaderError,
    ResponseValidator,
    RowError,
    read_csv,
)

logger = logging.getLogger(__name__)

COPY_CHUNK = 1 << 20
# The ISO 8601 forms judged in SQL; anything else is judged by datetime.fromisoformat.
# (A match without capture groups: PostgreSQL's regexp_match with groups costs ~30 µs a row.)
_ISO_RE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}"
    r"(?::[0-9]{2}(?:\.[0-9]{1,6})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})?)?$"
)
_TARGET = "metrics_surveyresponse"
_FIRST_ROW = 2  # the header is row 1
# Lives only inside a straight-in attempt (see _copy_straight_in).
_ATTEMPT_CHECK = "metrics_ingest_attempt_check"
_INSERTED_COLUMNS = (
    "touchpoint_id, metric, score, responded_at, source, external_id, customer_id, segment, "
    "comment, received_at"
)
_STAGED_VALUES = (
    "p.touchpoint_id, p.metric, p.score, p.responded_at, %(source)s, p.external_id, "
    "p.customer_id, p.segment, p.comment, %(now)s"
)


@functools.cache
def _whitespace() -> str:
    """Exactly the characters str.strip() removes, so btrim() trims as the validator does.
    (Found by trying every code point: a tenth of a second, paid only when a file needs it.)"""
    return "".join(c for c in map(chr, range(0x110000)) if c.isspace())


class _Irregular(Exception):
    """The file needs Python's csv module to be read as the validator reads it."""


class _Uncertain(Exception):
    """Some row needs the Python validator: the whole file goes that way."""


class _NotPlain(Exception):
    """Some row of a plain-looking file is not plainly valid: the full check takes over."""


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
        self.error: Exception | None = None

    def read(self, size: int = -1) -> str:
        try:
            return next(self.chunks, "")
        except Exception as exc:
            self.error = exc  # psycopg2 reports it only as a cancelled COPY
            raise

    readline = read


def _copy_from(cursor: Any, sql: str, chunks: Iterator[str]) -> None:
    """COPY … FROM STDIN fed by chunks; an error in reading the file (not UTF-8, say) is raised
    as itself, so callers can name it, rather than as the cancelled COPY psycopg2 reports."""
    source = _Chunks(chunks)
    try:
        cursor.cursor.copy_expert(sql, source, size=COPY_CHUNK)
    except psycopg2.Error:
        if source.error is not None and not isinstance(source.error, _Irregular):
            raise source.error from None
        raise


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
        # PostgreSQL reads a naive date in the connection's zone (UTC), Python in TIME_ZONE.
        self.naive_dates_allowed = connection.timezone_name == "UTC" and settings.TIME_ZONE in (
            "UTC",
            "Etc/UTC",
        )
        self.scan = PlainFileScan(header, naive_dates_allowed=self.naive_dates_allowed)
        self.copied_rows = 0

    # -- load --------------------------------------------------------------------------------

    def run(self, skip_invalid: bool, bulk: bool) -> None:
        with connection.cursor() as cursor:
            if bulk and not self.report.dry_run and self._copy_straight_in(cursor):
                return
            self._copy(cursor)
            if self.scan.plain and self._insert_plain(cursor, bulk and not self.report.dry_run):
                cursor.execute(f"DROP TABLE {self.raw}")
                return
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
        # One session numbers the rows, so a cached sequence still counts 2, 3, 4, … without
        # touching the sequence's page for every row.
        cursor.execute(
            f"CREATE UNLOGGED TABLE {self.raw} (row_number bigint GENERATED BY DEFAULT AS "
            f"IDENTITY (START WITH {_FIRST_ROW} CACHE 10000), n_values integer, {columns})"
        )

    def _copy(self, cursor: Any) -> None:
        try:
            with transaction.atomic():
                self._create_raw(cursor)
                _copy_from(
                    cursor,
                    f"COPY {self.raw} ({', '.join(self.header)}) FROM STDIN WITH (FORMAT csv)",
                    self._direct_chunks(),
                )
                self.copied_rows = cursor.cursor.rowcount
                return
        except psycopg2.Error as exc:
            # _Irregular, raised by read(), arrives as a cancelled COPY.
            if not (self.irregular or isinstance(exc, psycopg2.DataError)):
                raise
            # Blank lines, ragged rows, quotes: read the file as the validator does.
        self.scan.plain = False  # its rows are judged one by one, as the validator reads them
        self.stream.seek(self.start)
        next(csv.reader(self.stream))
        self._create_raw(cursor)
        _copy_from(
            cursor,
            f"COPY {self.raw} (row_number, n_values, {', '.join(self.header)}) "
            "FROM STDIN WITH (FORMAT csv)",
            self._reread_chunks(),
        )

    def _direct_chunks(self) -> Iterator[str]:
        lines = 0
        for block in _line_blocks(self.stream):
            # Blocks end at a line end, so a `\.` never straddles two of them.
            if '"' in block or "\\." in block:
                self.irregular = True
                raise _Irregular
            lines += block.count("\n")
            if self.on_progress:
                self.on_progress(lines)
            yield block
            self.scan.feed(block)  # while PostgreSQL reads the block just sent

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
                "ws": _whitespace(),
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

    # -- a plain file straight into the table --------------------------------------------------

    def _copy_straight_in(self, cursor: Any) -> bool:
        """COPY a plain file's rows straight into the locked response table, its indexes and
        constraints set aside; or, when some row is not plainly valid, nothing and return False.

        This writes every row once, where the staged path writes it three times (staging, typed,
        the table). What the validator would refuse, PostgreSQL refuses here: the touch point by
        the slug-to-id map below, a metric and score off the scale by the table's check
        constraint, a date by its own cast, a missing value by NOT NULL, lengths by the column
        types, a date in the future by a check constraint that lives only inside this attempt,
        and an id twice (in the file, or already stored) by the rebuilt unique constraint.
        """
        try:
            with transaction.atomic():  # a savepoint: any refusal undoes the attempt whole
                cursor.execute(f"LOCK TABLE {_TARGET} IN ACCESS EXCLUSIVE MODE")
                rebuild = _drop_secondary_structures(cursor)
                cursor.execute(
                    f"ALTER TABLE {_TARGET} ADD CONSTRAINT {_ATTEMPT_CHECK} CHECK ("
                    "responded_at <= %(latest)s AND external_id <> '' "
                    "AND char_length(external_id) <= %(external_id)s "
                    "AND char_length(customer_id) <= %(customer_id)s "
                    "AND char_length(segment) <= %(segment)s "
                    "AND char_length(comment) <= %(comment)s) NOT VALID",  # new rows only
                    {**MAX_LENGTHS, "latest": self.now + FUTURE_TOLERANCE},
                )
                restore_defaults = self._set_attempt_defaults(cursor)
                sequence, first_id = _next_response_id(cursor)
                # Read before COPY starts: the connection runs nothing else until it ends.
                ids = {slug: str(pk) for slug, pk in Touchpoint.objects.values_list("slug", "id")}
                chunks = _read_ahead(self._straight_chunks(first_id, ids))
                try:
                    _copy_from(cursor, self._straight_copy_sql(), chunks)
                finally:
                    chunks.close()  # its thread stops reading the file before the fallback does
                rows = cursor.cursor.rowcount
                # Under the table lock no other session has taken an id since.
                cursor.execute(
                    "SELECT setval(%s, %s, %s)",
                    [sequence, first_id + rows - 1, True] if rows else [sequence, first_id, False],
                )
                cursor.execute(f"ALTER TABLE {_TARGET} DROP CONSTRAINT {_ATTEMPT_CHECK}")
                cursor.execute(restore_defaults)
                _rebuild_secondary_structures(cursor, rebuild)
        except (_NotPlain, DataError, IntegrityError, psycopg2.DataError, psycopg2.IntegrityError):
            self.stream.seek(self.start)
            next(csv.reader(self.stream))
            return False
        self.report.rows_read = self.report.inserted = rows
        return True

    def _set_attempt_defaults(self, cursor: Any) -> str:
        """Make the values the file does not hold (source, received_at, absent optional columns)
        the columns' defaults for this attempt; return the statement that puts back the defaults
        the catalogue had.

        A constant default costs COPY nothing a row, where reading the same timestamp from every
        line cost it about a second a million.
        """
        given = {"source": self.source, "received_at": self.now}
        given.update({column: "" for column in OPTIONAL_COLUMNS if column not in self.header})
        cursor.execute(
            "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
            "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
            "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
            [_TARGET, list(given)],
        )
        before = dict(cursor.fetchall())
        quote = connection.ops.quote_name
        cursor.execute(
            f"ALTER TABLE {_TARGET} "
            + ", ".join(f"ALTER {quote(column)} SET DEFAULT %s" for column in given),
            list(given.values()),
        )
        return f"ALTER TABLE {_TARGET} " + ", ".join(
            f"ALTER {quote(column)} DROP DEFAULT"
            if before[column] is None
            else f"ALTER {quote(column)} SET DEFAULT {before[column]}"
            for column in given
        )

    def _straight_copy_sql(self) -> str:
        columns = ["touchpoint_id" if column == "touchpoint" else column for column in self.header]
        present = [column for column in OPTIONAL_COLUMNS if column in self.header]
        force_not_null = f", FORCE_NOT_NULL ({', '.join(present)})" if present else ""
        return (
            f"COPY {_TARGET} ({', '.join(['id', *columns])}) FROM STDIN "
            f"WITH (FORMAT csv{force_not_null})"
        )

    def _straight_chunks(self, first_id: int, ids: dict[str, str]) -> Iterator[str]:
        """The file's lines, each given an id and its touch point's id (`ids`, by slug) in place
        of the slug; _NotPlain at the first line that is not plain."""
        next_id = itertools.count(first_id).__next__

        def with_ids(line: re.Match[str]) -> str:
            touchpoint = ids.get(line[2])
            if touchpoint is None:
                raise _NotPlain
            return f"{next_id()},{line[1]}{touchpoint}{line[3]}"

        pattern = plain_line_pattern(self.header, naive_dates_allowed=self.naive_dates_allowed)
        lines = 0
        for block in _line_blocks(self.stream):
            # Quotes and backslashes (COPY's end-of-data mark) take the staged path, which
            # reads them as the validator does.
            if '"' in block or "\\" in block:
                raise _NotPlain
            if not block.endswith("\n"):  # the file's last line
                block += "\n"
            yield _plain_lines(block, pattern, with_ids)
            lines += block.count("\n")
            if self.on_progress:
                self.on_progress(lines)

    # -- plain files -------------------------------------------------------------------------

    def _insert_plain(self, cursor: Any, bulk: bool) -> bool:
        """Insert every row of a plain file, or nothing and return False when some row is not
        plainly valid (the full check then reports it)."""
        typed = f"{self.raw}_typed"
        try:
            with transaction.atomic():  # a savepoint: a refused cast or a duplicate undoes this
                self._type_plain_rows(cursor, typed)
                if bulk:
                    inserted, present = self._insert_plain_bulk(cursor, typed)
                else:
                    inserted, present = self._insert_plain_rows(cursor, typed)
                cursor.execute(f"DROP TABLE {typed}")
        except (_NotPlain, DataError, IntegrityError):
            return False
        self.report.rows_read = self.copied_rows
        self.report.inserted = inserted
        self.report.already_present = present
        return True

    def _type_plain_rows(self, cursor: Any, typed: str) -> None:
        """Type the plain file's rows into `typed`, or raise _NotPlain if any row is not valid.

        A row the validator would refuse finds no join partner (an unknown touch point, a metric
        and score off the scale) or fails the filter (a length); PostgreSQL itself refuses a date
        that does not exist. Typing is most of a plain import's work (reading a date costs about
        a microsecond), and as a CREATE TABLE AS it runs in parallel workers; the INSERT into the
        response table that follows cannot.
        """
        scale = ", ".join(
            f"('{given}', '{score}', '{metric}', {score})"
            for metric, (low, high) in SCORE_RANGES.items()
            for given in (metric, metric.upper())
            for score in range(low, high + 1)
        )
        # The staging table has no statistics, and the planner would probe the touch point
        # index once a row (1.3 s a million) rather than hash the few touch points.
        cursor.execute("SET LOCAL enable_nestloop = off")
        # Every value already of its column's type, so the INSERT only copies them (a length
        # coercion a value cost the INSERT a quarter of its time). The filter below keeps any
        # cast to varchar(n) from cutting a value short.
        column = _response_column_types()
        cursor.execute(
            f"CREATE UNLOGGED TABLE {typed} AS "
            "SELECT r.row_number, tp.id AS touchpoint_id, "
            f"  scale.metric::{column['metric']} AS metric, scale.score::smallint AS score, "
            "  r.responded_at::timestamptz AS responded_at, "
            f"  r.external_id::{column['external_id']} AS external_id, "
            f"  COALESCE(r.customer_id, '')::{column['customer_id']} AS customer_id, "
            f"  COALESCE(r.segment, '')::{column['segment']} AS segment, "
            f"  COALESCE(r.comment, '')::{column['comment']} AS comment "
            f"FROM {self.raw} r JOIN metrics_touchpoint tp ON tp.slug = r.touchpoint "
            f"JOIN (VALUES {scale}) AS scale (given_metric, given_score, metric, score) "
            "  ON scale.given_metric = r.metric AND scale.given_score = r.score "
            "WHERE char_length(r.external_id) <= %(external_id)s "
            "AND (r.customer_id IS NULL OR char_length(r.customer_id) <= %(customer_id)s) "
            "AND (r.segment IS NULL OR char_length(r.segment) <= %(segment)s) "
            "AND (r.comment IS NULL OR char_length(r.comment) <= %(comment)s)",
            MAX_LENGTHS,
        )
        typed_rows = cursor.rowcount
        cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
        if typed_rows != self.copied_rows:
            raise _NotPlain
        cursor.execute(f"SELECT MAX(responded_at) FROM {typed}")
        latest = cursor.fetchone()[0]
        if latest is not None and latest > self.now + FUTURE_TOLERANCE:
            raise _NotPlain

    def _insert_plain_rows(self, cursor: Any, typed: str) -> tuple[int, int]:
        """Row by row into the indexed table: responses already stored are counted, not added."""
        self._require_unique_ids(cursor)
        cursor.execute(
            f"INSERT INTO {_TARGET} ({_INSERTED_COLUMNS}) SELECT {_STAGED_VALUES} "
            f"FROM {typed} p ON CONFLICT (source, external_id) DO NOTHING",
            {"source": self.source, "now": self.now},
        )
        inserted = max(cursor.rowcount, 0)
        return inserted, self.copied_rows - inserted

    def _insert_plain_bulk(self, cursor: Any, typed: str) -> tuple[int, int]:
        """Into the table with its indexes set aside; a duplicate id fails the unique index."""
        present = _set_aside_stored(cursor, typed, source=self.source)
        if present:
            # A duplicate of a stored id went with it, out of the unique index's sight.
            self._require_unique_ids(cursor)
        inserted = _insert_with_indexes_set_aside(
            cursor, typed, source=self.source, now=self.now, ids=self.copied_rows
        )
        return inserted, present

    def _require_unique_ids(self, cursor: Any) -> None:
        cursor.execute(f"SELECT 1 FROM {self.raw} GROUP BY external_id HAVING COUNT(*) > 1 LIMIT 1")
        if cursor.fetchone() is not None:
            raise _NotPlain

    # -- insert ------------------------------------------------------------------------------

    def _insert(self, cursor: Any, bulk: bool) -> None:
        report = self.report
        cursor.execute(f"DELETE FROM {self.checked} WHERE errors > 0")
        if not bulk:
            cursor.execute(
                f"INSERT INTO {_TARGET} ({_INSERTED_COLUMNS}) SELECT {_STAGED_VALUES} "
                f"FROM {self.checked} p ORDER BY row_number "
                "ON CONFLICT (source, external_id) DO NOTHING",
                {"source": self.source, "now": self.now},
            )
            report.inserted = max(cursor.rowcount, 0)
            report.already_present = report.rows_read - report.skipped_invalid - report.inserted
            return
        report.already_present = _set_aside_stored(cursor, self.checked, source=self.source)
        cursor.execute(f"SELECT COALESCE(MAX(row_number), 0) FROM {self.raw}")
        ids = max(cursor.fetchone()[0] - _FIRST_ROW + 1, 0)
        report.inserted = _insert_with_indexes_set_aside(
            cursor, self.checked, source=self.source, now=self.now, ids=ids
        )


def _line_blocks(stream: TextIO) -> Iterator[str]:
    """The stream in blocks of about COPY_CHUNK characters, each ending at a line end (the last
    one at the end of the file), never empty: an empty read would end a COPY early."""
    carry = ""
    while chunk := stream.read(COPY_CHUNK):
        block = carry + chunk
        cut = block.rfind("\n") + 1
        block, carry = block[:cut], block[cut:]
        if block:  # empty while a line is longer than the chunk
            yield block
    if carry:
        yield carry


def _plain_lines(
    block: str, pattern: re.Pattern[str], with_ids: Callable[[re.Match[str]], str]
) -> str:
    """A block of whole lines rewritten by with_ids, or _NotPlain if any line is not plain."""
    if not no_padding(block.removesuffix("\n").removesuffix("\r")):
        raise _NotPlain
    if "\r" in block:  # no_padding allows it only as part of CRLF
        block = block.replace("\r\n", "\n")
    rewritten, matched = pattern.subn(with_ids, block)
    if matched != block.count("\n"):
        raise _NotPlain
    return rewritten


def _read_ahead(chunks: Iterator[str]) -> Generator[str, None, None]:
    """The chunks, produced by a thread of their own one chunk ahead.

    psycopg2 sends a chunk with the interpreter lock released, so preparing the next one
    overlaps PostgreSQL's work on this one instead of waiting for it. An exception in the
    thread is raised here; stopping early (COPY refused a row) stops the thread.
    """
    ready: queue.Queue[tuple[str | None, BaseException | None]] = queue.Queue(maxsize=2)
    stop = threading.Event()

    def offer(item: tuple[str | None, BaseException | None]) -> bool:
        """Queue item unless the consumer stopped first; whether it was queued."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not offer((chunk, None)):
                    return
            offer((None, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer to raise
            offer((None, exc))

    thread = threading.Thread(target=produce, name="copy-read-ahead", daemon=True)
    thread.start()
    try:
        while True:
            chunk, error = ready.get()
            if error is not None:
                raise error
            if chunk is None:
                return
            yield chunk
    finally:
        stop.set()
        thread.join()


def _drop_secondary_structures(cursor: Any) -> list[str]:
    """Drop the response table's indexes and constraints, its primary key too; return how to
    rebuild them (the caller holds an ACCESS EXCLUSIVE lock).

    Built once from sorted data, an index costs a fraction of a million random insertions (even
    the primary key's: maintained row by row it more than doubled the INSERT's time), and one
    foreign-key validation join replaces a million per-row trigger checks. Rebuilding the unique
    (external_id, source) constraint re-proves that no response was stored twice. Nothing
    references a response; a foreign key that did would make dropping the primary key fail
    loudly, not pass silently.
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
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'p', 'u') ORDER BY contype DESC",
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


def _set_aside_stored(cursor: Any, rows: str, *, source: str) -> int:
    """Lock the response table for a bulk insert and delete from `rows` (a staging table) the
    responses it already holds; return how many.

    No other writer can run from here to commit, and the join runs while the unique index is
    there to serve it.
    """
    cursor.execute(f"LOCK TABLE {_TARGET} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {_TARGET})")
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute(
        f"DELETE FROM {rows} p USING {_TARGET} s "
        "WHERE s.external_id = p.external_id AND s.source = %s",
        [source],
    )
    return max(cursor.rowcount, 0)


def _insert_with_indexes_set_aside(
    cursor: Any, rows: str, *, source: str, now: Any, ids: int
) -> int:
    """Insert the staging table `rows` (typed values and the file's row numbers) into the locked
    response table with its indexes and constraints dropped, rebuilding them afterwards.

    The ids come from the sequence as one block of `ids` (one for each file row number from
    _FIRST_ROW): under the table lock no other session takes one, and an id computed from the
    row number costs less than a call to nextval() a row (a third of a second a million). A row
    set aside or invalid leaves its id unused.
    """
    rebuild = _drop_secondary_structures(cursor)
    sequence, first_id = _next_response_id(cursor)
    cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + ids])
    cursor.execute(
        f"INSERT INTO {_TARGET} (id, {_INSERTED_COLUMNS}) "
        f"SELECT %(first_id)s + p.row_number - {_FIRST_ROW}, {_STAGED_VALUES} FROM {rows} p",
        {"first_id": first_id, "source": source, "now": now},
    )
    inserted = max(cursor.rowcount, 0)
    _rebuild_secondary_structures(cursor, rebuild)
    return inserted


def _next_response_id(cursor: Any) -> tuple[str, int]:
    """The response id sequence's name and its next id, the first of a block the caller (holding
    the table lock) reserves by setval()."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [_TARGET])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    return sequence, cursor.fetchone()[0]


def _rebuild_secondary_structures(cursor: Any, statements: list[str]) -> None:
    # Enough memory for each index's sort to stay in memory at a few million rows.
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for statement in statements:
        cursor.execute(statement)
    cursor.execute("SET LOCAL maintenance_work_mem TO DEFAULT")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@functools.cache
def _response_column_types() -> dict[str, str]:
    """The response table's column types on this database, e.g. {"external_id": "varchar(120)"}."""
    types = {}
    for name in ("metric", "external_id", "customer_id", "segment", "comment"):
        field = SurveyResponse._meta.get_field(name)
        assert isinstance(field, Field)  # noqa: S101 - plain columns of the model
        types[name] = field.db_type(connection) or ""
    return types
