# ruff: noqa: S608 - SQL is assembled only from this package's names and the checked header;
# every value is a parameter.
"""Straight-in COPY: a bulk import of a plain file goes straight into the response table.

This writes every row once, where the staged paths write it three times (staging, typed, the
table). The table is locked and its indexes set aside; Python puts each touch point's id in
place of its slug as the file streams; what the validator would refuse, PostgreSQL refuses
here: the touch point by the slug-to-id map (of those the importer may write), a metric and
score off the scale by the table's check constraint, a date by its own cast, a missing value
by NOT NULL, lengths by the column types, a date in the future by a check constraint that
lives only inside this attempt, and an id twice (in the file, or already stored) by the rebuilt
unique constraint. Any refusal undoes the attempt (a savepoint), and the file takes the staged
path.
"""

import itertools
import re
from collections.abc import Iterator
from typing import Any

import psycopg2
from django.db import DataError, IntegrityError, connection, transaction

from metrics.models import Touchpoint
from metrics.services.ingest.copy_io import LongLine, copy_from, line_blocks, read_ahead
from metrics.services.ingest.file_load import FileLoad
from metrics.services.ingest.plain_files import NotPlain, plain_line_pattern, plain_lines
from metrics.services.ingest.response_table import (
    TARGET,
    next_response_id,
    response_indexes_set_aside,
)
from metrics.validation import FUTURE_TOLERANCE, MAX_LENGTHS, OPTIONAL_COLUMNS

# Lives only inside an attempt.
_ATTEMPT_CHECK = "metrics_ingest_attempt_check"


def copy_straight_in(load: FileLoad, cursor: Any) -> bool:
    """COPY a plain file's rows straight into the locked response table, its indexes and
    constraints set aside; or, when some row is not plainly valid, nothing and return False
    (the stream is then back at the file's first data row)."""
    try:
        with transaction.atomic():  # a savepoint: any refusal undoes the attempt whole
            cursor.execute(f"LOCK TABLE {TARGET} IN ACCESS EXCLUSIVE MODE")
            with response_indexes_set_aside(cursor):
                rows = _copy_with_attempt_rules(load, cursor)
    except (
        NotPlain,
        LongLine,
        DataError,
        IntegrityError,
        psycopg2.DataError,
        psycopg2.IntegrityError,
    ):
        load.rewind()
        return False
    load.report.rows_read = load.report.inserted = rows
    return True


def _copy_with_attempt_rules(load: FileLoad, cursor: Any) -> int:
    """The COPY itself, with this attempt's check constraint and column defaults in place
    around it; return the rows copied."""
    cursor.execute(
        f"ALTER TABLE {TARGET} ADD CONSTRAINT {_ATTEMPT_CHECK} CHECK ("
        "responded_at <= %(latest)s AND external_id <> '' "
        "AND char_length(external_id) <= %(external_id)s "
        "AND char_length(customer_id) <= %(customer_id)s "
        "AND char_length(segment) <= %(segment)s "
        "AND char_length(comment) <= %(comment)s) NOT VALID",  # new rows only
        {**MAX_LENGTHS, "latest": load.now + FUTURE_TOLERANCE},
    )
    restore_defaults = _set_attempt_defaults(load, cursor)
    sequence, first_id = next_response_id(cursor)
    # Read before COPY starts: the connection runs nothing else until it ends.
    # Only the touch points the importer may write: a row for another finds no id.
    ids = {
        slug: str(pk)
        for slug, pk in Touchpoint.objects.values_list("slug", "id")
        if load.writable is None or pk in load.writable
    }
    chunks = read_ahead(_chunks(load, first_id, ids))
    try:
        copy_from(cursor, _copy_sql(load.header), chunks)
    finally:
        chunks.close()  # its thread stops reading the file before the fallback does
    rows: int = cursor.cursor.rowcount
    # Under the table lock no other session has taken an id since.
    cursor.execute(
        "SELECT setval(%s, %s, %s)",
        [sequence, first_id + rows - 1, True] if rows else [sequence, first_id, False],
    )
    cursor.execute(f"ALTER TABLE {TARGET} DROP CONSTRAINT {_ATTEMPT_CHECK}")
    cursor.execute(restore_defaults)
    return rows


def _set_attempt_defaults(load: FileLoad, cursor: Any) -> str:
    """Make the values the file does not hold (source, received_at, absent optional columns)
    the columns' defaults for this attempt; return the statement that puts back the defaults
    the catalogue had.

    A constant default costs COPY nothing a row, where reading the same timestamp from every
    line cost it about a second a million.
    """
    given: dict[str, Any] = {"source": load.source, "received_at": load.now}
    given.update({column: "" for column in OPTIONAL_COLUMNS if column not in load.header})
    cursor.execute(
        "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attribute a "
        "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
        "WHERE a.attrelid = %s::regclass AND a.attname = ANY(%s)",
        [TARGET, list(given)],
    )
    before = dict(cursor.fetchall())
    quote = connection.ops.quote_name
    cursor.execute(
        f"ALTER TABLE {TARGET} "
        + ", ".join(f"ALTER {quote(column)} SET DEFAULT %s" for column in given),
        list(given.values()),
    )
    return f"ALTER TABLE {TARGET} " + ", ".join(
        f"ALTER {quote(column)} DROP DEFAULT"
        if before[column] is None
        else f"ALTER {quote(column)} SET DEFAULT {before[column]}"
        for column in given
    )


def _copy_sql(header: list[str]) -> str:
    columns = ["touchpoint_id" if column == "touchpoint" else column for column in header]
    present = [column for column in OPTIONAL_COLUMNS if column in header]
    force_not_null = f", FORCE_NOT_NULL ({', '.join(present)})" if present else ""
    return (
        f"COPY {TARGET} ({', '.join(['id', *columns])}) FROM STDIN "
        f"WITH (FORMAT csv{force_not_null})"
    )


def _chunks(load: FileLoad, first_id: int, ids: dict[str, str]) -> Iterator[str]:
    """The file's lines, each given an id and its touch point's id (`ids`, by slug) in place
    of the slug; NotPlain at the first line that is not plain."""
    next_id = itertools.count(first_id).__next__

    def with_ids(line: re.Match[str]) -> str:
        touchpoint = ids.get(line[2])
        if touchpoint is None:
            raise NotPlain
        return f"{next_id()},{line[1]}{touchpoint}{line[3]}"

    pattern = plain_line_pattern(load.header, naive_dates_allowed=load.naive_dates_allowed)
    lines = 0
    for block in line_blocks(load.stream):
        # Quotes, backslashes (COPY's end-of-data mark) and NULs take the staged path, which
        # reads them as the validator does.
        if '"' in block or "\\" in block or "\x00" in block:
            raise NotPlain
        if not block.endswith("\n"):  # the file's last line
            block += "\n"
        yield plain_lines(block, pattern, with_ids)
        lines += block.count("\n")
        load.progress(lines)
