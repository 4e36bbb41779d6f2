# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""Moving checked rows from a staging table into the response table.

A staging table here holds the file's row numbers and typed values in the response table's
columns (`row_number, touchpoint_id, metric, score, responded_at, external_id, customer_id,
segment, comment`). Row by row, ON CONFLICT counts the responses already stored; a bulk load
(PostgreSQL) sets the table's indexes aside instead and builds them once afterwards.
"""

import functools
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from django.db import connection
from django.db.models import Field
from django.utils import timezone

from metrics.models import SurveyResponse
from metrics.services.bulk_indexes import indexes_set_aside
from metrics.validation import ValidRow

TARGET = "metrics_surveyresponse"
FIRST_ROW = 2  # the header is row 1
INSERTED_COLUMNS = (
    "touchpoint_id, metric, score, responded_at, source, external_id, customer_id, segment, "
    "comment, received_at"
)
# The values of INSERTED_COLUMNS from a staging table `p`; parameters: source, received_at.
_STAGED_VALUES = (
    "p.touchpoint_id, p.metric, p.score, p.responded_at, %s, p.external_id, p.customer_id, "
    "p.segment, p.comment, %s"
)
# Enough memory for each index's sort to stay in memory at a few million rows.
_BUILD_SETTINGS = {"maintenance_work_mem": "'256MB'"}


def insert_staged(cursor: Any, rows: str, *, source: str, now: Any, in_file_order: bool) -> int:
    """Insert the staging table `rows` into the indexed response table; return how many rows
    went in (the rest were stored already). `in_file_order` gives ids in the file's order."""
    order = "ORDER BY p.row_number " if in_file_order else ""
    # The WHERE keeps SQLite from reading ON CONFLICT as a join's ON.
    cursor.execute(
        f"INSERT INTO {TARGET} ({INSERTED_COLUMNS}) SELECT {_STAGED_VALUES} FROM {rows} p "
        f"WHERE p.row_number > 0 {order}ON CONFLICT (source, external_id) DO NOTHING",
        [source, now],
    )
    return max(cursor.rowcount, 0)


def set_aside_stored(cursor: Any, rows: str, *, source: str) -> int:
    """Lock the response table for a bulk insert and delete from `rows` (a staging table) the
    responses it already holds; return how many.

    No other writer can run from here to commit, and the join runs while the unique index is
    there to serve it.
    """
    cursor.execute(f"LOCK TABLE {TARGET} IN ACCESS EXCLUSIVE MODE")
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {TARGET})")
    if not cursor.fetchone()[0]:
        return 0
    cursor.execute(
        f"DELETE FROM {rows} p USING {TARGET} s "
        "WHERE s.external_id = p.external_id AND s.source = %s",
        [source],
    )
    return max(cursor.rowcount, 0)


def insert_bulk(cursor: Any, rows: str, *, source: str, now: Any, ids: int) -> int:
    """Insert the staging table `rows` into the locked response table with its indexes and
    constraints set aside, rebuilding them afterwards; return how many rows went in.

    The ids come from the sequence as one block of `ids` (one for each file row number from
    FIRST_ROW): under the table lock no other session takes one, and an id computed from the
    row number costs less than a call to nextval() a row (a third of a second a million). A row
    set aside or invalid leaves its id unused.
    """
    with response_indexes_set_aside(cursor):
        sequence, first_id = next_response_id(cursor)
        cursor.execute("SELECT setval(%s, %s)", [sequence, first_id + ids])
        cursor.execute(
            f"INSERT INTO {TARGET} (id, {INSERTED_COLUMNS}) "
            f"SELECT %s + p.row_number - {FIRST_ROW}, {_STAGED_VALUES} FROM {rows} p",
            [first_id, source, now],
        )
        return max(cursor.rowcount, 0)


def response_indexes_set_aside(cursor: Any) -> Any:
    """The response table's indexes and constraints set aside for the block (bulk_indexes)."""
    return indexes_set_aside(cursor, TARGET, build_settings=_BUILD_SETTINGS)


def next_response_id(cursor: Any) -> tuple[str, int]:
    """The response id sequence's name and its next id, the first of a block the caller (holding
    the table lock) reserves by setval()."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [TARGET])
    sequence = cursor.fetchone()[0]
    cursor.execute("SELECT nextval(%s)", [sequence])
    return sequence, cursor.fetchone()[0]


@functools.cache
def column_types() -> dict[str, str]:
    """The response table's column types on this database, e.g. {"external_id": "varchar(120)"}."""
    types = {}
    for name in ("metric", "external_id", "customer_id", "segment", "comment"):
        field = SurveyResponse._meta.get_field(name)
        assert isinstance(field, Field)  # noqa: S101 - plain columns of the model
        types[name] = field.db_type(connection) or ""
    return types


def responses_insert(rows: Sequence[ValidRow], *, source: str) -> int:
    """Insert checked rows (a webhook delivery's few) in one statement; return how many went in,
    the rest being stored already under (source, external_id)."""
    adapt = connection.ops.adapt_datetimefield_value
    now = adapt(timezone.now())
    values: list[Any] = []
    for row in rows:
        # In UTC: Python reads offsets up to ±23:59, PostgreSQL stores only those up to ±15:59.
        when = adapt(row.responded_at.astimezone(UTC))
        values += [row.touchpoint_id, row.metric, row.score, when, source, row.external_id,
                   row.customer_id, row.segment, row.comment, now]  # fmt: skip
    placeholders = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TARGET} ({INSERTED_COLUMNS}) VALUES {placeholders} "
            "ON CONFLICT (source, external_id) DO NOTHING",
            values,
        )
        return max(cursor.rowcount, 0)
