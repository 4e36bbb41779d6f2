# ruff: noqa: S608 - SQL is assembled only from this package's names and the checked header;
# every value is a parameter.
"""The full check: every row of the staged file judged in SQL by the validator's rules.

SQL decides which rows are valid and how many problems each has, and the validator itself words
the first problems of the report, re-run on those rows' raw text. Whatever SQL cannot judge
exactly the way Python does (a date that is not in the usual form, a score in non-ASCII digits,
a naive time near a DST change) raises Uncertain, and the whole file goes through the Python
validator instead, so the report is the same either way (tests/metrics/test_copy_ingest.py
compares both on the same bad files). The date's SQL is generated from the validator's
statement of the usual form (date_forms).
"""

import functools
import logging
from collections.abc import Collection
from typing import Any

from django.conf import settings

from cco.importing import MAX_REPORTED_ERRORS, MAX_ROW_CHARS, RowError
from metrics.models import SCORE_RANGES
from metrics.services.ingest import date_forms
from metrics.services.ingest.duplicates import duplicates_set_aside
from metrics.services.ingest.file_load import FileLoad
from metrics.services.ingest.response_table import (
    FIRST_ROW,
    insert_bulk,
    insert_staged,
    set_aside_stored,
)
from metrics.validation import (
    EXTRA_VALUES,
    FUTURE_TOLERANCE,
    MAX_LENGTHS,
    OTHER_MAX_LENGTH,
    ResponseValidator,
)

logger = logging.getLogger(__name__)


class Uncertain(Exception):
    """Some row needs the Python validator: the whole file goes that way."""


def check_and_insert(load: FileLoad, cursor: Any, *, skip_invalid: bool, bulk: bool) -> None:
    """Judge the rows of `load.raw`, fill in the report, and insert the valid rows unless the
    file is rejected (a dry run inserts too, to count what is already present, and its
    transaction is rolled back)."""
    create_checked(
        cursor,
        raw=load.raw,
        checked=load.checked,
        header=load.header,
        now=load.now,
        writable=load.writable,
    )
    cursor.execute(
        f"SELECT COUNT(*), COALESCE(SUM(errors), 0), COUNT(*) FILTER (WHERE errors > 0), "
        f"COUNT(*) FILTER (WHERE uncertain) FROM {load.checked}"
    )
    rows, errors, invalid_rows, uncertain = cursor.fetchone()
    if uncertain:
        raise Uncertain
    report = load.report
    report.rows_read, report.error_count = rows, errors
    report.skipped_invalid = invalid_rows
    if errors:
        report.errors = _word_errors(load, cursor)
    duplicates_set_aside(cursor, report, load.checked, where="WHERE errors = 0")
    if report.error_count and not skip_invalid:
        report.rejected = True
        report.skipped_invalid = 0
    else:
        _insert(load, cursor, bulk=bulk)
    cursor.execute(f"DROP TABLE {load.raw}, {load.checked}")


@functools.cache
def _whitespace() -> str:
    """Exactly the characters str.strip() removes, so btrim() trims as the validator does.
    (Found by trying every code point: a tenth of a second, paid only when a file needs it.)"""
    return "".join(c for c in map(chr, range(0x110000)) if c.isspace())


def create_checked(
    cursor: Any,
    *,
    raw: str,
    checked: str,
    header: list[str],
    now: Any,
    writable: Collection[int] | None = None,
) -> None:
    """One pass over `raw` into `checked`: trimmed and typed values, the number of problems
    (`errors`), and whether SQL cannot judge the row (`uncertain`). `writable`: the touch points
    the importer may write (None: every one).

    Each step is a subquery with OFFSET 0, a fence that stops PostgreSQL from inlining it:
    inlined, every use of a column would re-evaluate its whole expression (the date's
    checks dozens of times a row).
    """
    tz = settings.TIME_ZONE if settings.USE_TZ else "UTC"
    # A row's length as the reader counts it (its values, commas and line end) for a row
    # COPY read without quotes; a quoted one was read by the reader and is within its limit.
    row_chars = " + ".join(f"char_length(COALESCE({column}, ''))" for column in header)
    row_chars = f"{row_chars} + {len(header) + 1}"
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
        CREATE UNLOGGED TABLE {checked} AS
        SELECT row_number, n_values, external_id, touchpoint_id, metric,
            CASE WHEN score_num BETWEEN lo AND hi THEN score_num::smallint END AS score,
            responded_at, customer_id, segment, comment,
            -- Judged by Python: lengths the validator cannot word, forms it may accept, a line
            -- break where a quote may have been left open, a row past the reader's limit.
            char_length(slug) > %(other_len)s OR metric_length > %(other_len)s
            OR concat(external_id, slug, metric, customer_id, segment) ~ '[\\r\\n]'
            OR row_chars > %(row_chars)s
            OR (score_num IS NULL AND (score_text LIKE '%%\\_%%'
                OR octet_length(score_text) <> char_length(score_text)))
            OR {date_forms.SQL_PYTHON_MAY_READ}
            OR (local IS NOT NULL AND {near_dst}) AS uncertain,
            (COALESCE(n_values, %(width)s) > %(width)s)::int
            + (external_id = '' OR char_length(external_id) > %(ext_len)s)::int
            + (touchpoint_id IS NULL)::int
            + (NOT %(all_writable)s AND touchpoint_id IS NOT NULL
                AND touchpoint_id <> ALL(%(writable)s::bigint[]))::int
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
                ELSE (local - {date_forms.SQL_OFFSET}) AT TIME ZONE 'UTC'
                END AS responded_at
            FROM (
                SELECT *, CASE WHEN NOT fields_in_range THEN NULL
                    WHEN {date_forms.SQL_DAY_IN_MONTH}
                    THEN left(when_text, char_length(when_text)
                        - COALESCE(char_length(zone), 0))::timestamp
                    END AS local
                FROM (
                    SELECT *, {date_forms.SQL_FIELDS_IN_RANGE} AS fields_in_range
                    FROM (
                        SELECT t.*, tp.id AS touchpoint_id,
                            CASE t.metric {lows} END AS lo,
                            CASE t.metric {highs} END AS hi,
                            CASE WHEN t.score_text ~ '^[+-]?[0-9]+$'
                                AND char_length(t.score_text) <= 100
                                THEN t.score_text::numeric END AS score_num,
                            when_text ~ %(iso)s AS iso,
                            {date_forms.SQL_ZONE} AS zone
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
                                btrim(COALESCE(comment, ''), %(ws)s) AS comment,
                                {row_chars} AS row_chars
                            FROM {raw} OFFSET 0
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
            "iso": date_forms.SQL_SHAPE,
            "tz": tz,
            "width": len(header),
            # Near the limit is enough: CRLF or LF, the reader decides it exactly.
            "row_chars": MAX_ROW_CHARS - 2,
            "all_writable": writable is None,
            "writable": sorted(writable or ()),
            "latest": now + FUTURE_TOLERANCE,
            "other_len": OTHER_MAX_LENGTH,
            "ext_len": MAX_LENGTHS["external_id"],
            "customer_len": MAX_LENGTHS["customer_id"],
            "segment_len": MAX_LENGTHS["segment"],
            "comment_len": MAX_LENGTHS["comment"],
        },
    )


def _word_errors(load: FileLoad, cursor: Any) -> list[RowError]:
    """The validator's own words for the first problems, from those rows' raw text."""
    present = ", ".join(f"r.{column}" for column in load.header)
    cursor.execute(
        f"SELECT c.row_number, c.n_values, c.errors, {present} FROM {load.checked} c "
        f"JOIN {load.raw} r USING (row_number) WHERE c.errors > 0 "
        f"ORDER BY c.row_number LIMIT {MAX_REPORTED_ERRORS}"
    )
    validator = ResponseValidator(now=load.now, writable=load.writable)
    width = len(load.header)
    words: list[RowError] = []
    for number, n_values, count, *values in cursor.fetchall():
        given = width if n_values is None else min(n_values, width)
        data = {
            column: value or "" for column, value in zip(load.header[:given], values, strict=False)
        }
        if n_values is not None and n_values > width:
            data[EXTRA_VALUES] = str(n_values)
        result = validator.validate(number, data)
        if not isinstance(result, list) or len(result) != count:
            logger.warning("row %s: SQL and Python validators disagree", number)
            raise Uncertain
        words.extend(result)
    return words[:MAX_REPORTED_ERRORS]


def _insert(load: FileLoad, cursor: Any, *, bulk: bool) -> None:
    report = load.report
    cursor.execute(f"DELETE FROM {load.checked} WHERE errors > 0")
    if not bulk:
        report.inserted = insert_staged(
            cursor, load.checked, source=load.source, now=load.now, in_file_order=True
        )
        report.already_present = report.rows_read - report.skipped_invalid - report.inserted
        return
    report.already_present = set_aside_stored(cursor, load.checked, source=load.source)
    cursor.execute(f"SELECT COALESCE(MAX(row_number), 0) FROM {load.raw}")
    ids = max(cursor.fetchone()[0] - FIRST_ROW + 1, 0)
    report.inserted = insert_bulk(cursor, load.checked, source=load.source, now=load.now, ids=ids)
