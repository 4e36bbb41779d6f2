# ruff: noqa: S608 - SQL is assembled only from this package's names and the model's column types;
# every value is a parameter.
"""Plain-typed: a plain file's staged rows typed and joined in one statement, no row-by-row check.

A plain file (plain_files: no padding, dates in the usual form) needs no trimming and no
wording: its rows are typed and joined to the touch points and the score scales in one parallel
CREATE TABLE AS, and the file is accepted only if every row came through. If one did not — an
unknown touch point, a score off the scale, a date PostgreSQL refuses, an external id twice —
that attempt is undone and the full check words the report.
"""

from typing import Any

from django.db import DataError, IntegrityError, transaction

from metrics.models import SCORE_RANGES
from metrics.services.ingest.duplicates import has_duplicate_ids
from metrics.services.ingest.file_load import FileLoad
from metrics.services.ingest.plain_files import NotPlain
from metrics.services.ingest.response_table import (
    column_types,
    insert_bulk,
    insert_staged,
    set_aside_stored,
)
from metrics.validation import FUTURE_TOLERANCE, MAX_LENGTHS


def insert_plain(load: FileLoad, cursor: Any, *, bulk: bool) -> bool:
    """Insert every row of a plain file staged in `load.raw`, or nothing and return False when
    some row is not plainly valid (the full check then reports it)."""
    typed = f"{load.raw}_typed"
    try:
        with transaction.atomic():  # a savepoint: a refused cast or a duplicate undoes this
            _type_rows(load, cursor, typed)
            if bulk:
                inserted, present = _insert_bulk(load, cursor, typed)
            else:
                inserted, present = _insert_rows(load, cursor, typed)
            cursor.execute(f"DROP TABLE {typed}")
    except (NotPlain, DataError, IntegrityError):
        return False
    cursor.execute(f"DROP TABLE {load.raw}")
    load.report.rows_read = load.copied_rows
    load.report.inserted = inserted
    load.report.already_present = present
    return True


def _insert_rows(load: FileLoad, cursor: Any, typed: str) -> tuple[int, int]:
    """Row by row into the indexed table: responses already stored are counted, not added."""
    _require_unique_ids(load, cursor)
    inserted = insert_staged(cursor, typed, source=load.source, now=load.now, in_file_order=False)
    return inserted, load.copied_rows - inserted


def _insert_bulk(load: FileLoad, cursor: Any, typed: str) -> tuple[int, int]:
    """Into the table with its indexes set aside; a duplicate id fails the unique index."""
    present = set_aside_stored(cursor, typed, source=load.source)
    if present:
        # A duplicate of a stored id went with it, out of the unique index's sight.
        _require_unique_ids(load, cursor)
    inserted = insert_bulk(cursor, typed, source=load.source, now=load.now, ids=load.copied_rows)
    return inserted, present


def _require_unique_ids(load: FileLoad, cursor: Any) -> None:
    if has_duplicate_ids(cursor, load.raw):
        raise NotPlain


def _type_rows(load: FileLoad, cursor: Any, typed: str) -> None:
    """Type the plain file's rows into `typed`, or raise NotPlain if any row is not valid.

    A row the validator would refuse finds no join partner (an unknown touch point or one the
    importer may not write, a metric and score off the scale) or fails the filter (a length);
    PostgreSQL itself refuses a date that does not exist. Typing is most of a plain import's
    work (reading a date costs about a microsecond), and as a CREATE TABLE AS it runs in
    parallel workers; the INSERT into the response table that follows cannot.
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
    column = column_types()
    cursor.execute(
        f"CREATE UNLOGGED TABLE {typed} AS "
        "SELECT r.row_number, tp.id AS touchpoint_id, "
        f"  scale.metric::{column['metric']} AS metric, scale.score::smallint AS score, "
        "  r.responded_at::timestamptz AS responded_at, "
        f"  r.external_id::{column['external_id']} AS external_id, "
        f"  COALESCE(r.customer_id, '')::{column['customer_id']} AS customer_id, "
        f"  COALESCE(r.segment, '')::{column['segment']} AS segment, "
        f"  COALESCE(r.comment, '')::{column['comment']} AS comment "
        f"FROM {load.raw} r JOIN metrics_touchpoint tp ON tp.slug = r.touchpoint "
        # Only the touch points the importer may write: a row for another finds no partner.
        f"{'' if load.writable is None else 'AND tp.id = ANY(%(writable)s::bigint[]) '}"
        f"JOIN (VALUES {scale}) AS scale (given_metric, given_score, metric, score) "
        "  ON scale.given_metric = r.metric AND scale.given_score = r.score "
        "WHERE char_length(r.external_id) <= %(external_id)s "
        "AND (r.customer_id IS NULL OR char_length(r.customer_id) <= %(customer_id)s) "
        "AND (r.segment IS NULL OR char_length(r.segment) <= %(segment)s) "
        "AND (r.comment IS NULL OR char_length(r.comment) <= %(comment)s)",
        {**MAX_LENGTHS, "writable": sorted(load.writable or ())},
    )
    typed_rows = cursor.rowcount
    cursor.execute("SET LOCAL enable_nestloop TO DEFAULT")
    if typed_rows != load.copied_rows:
        raise NotPlain
    cursor.execute(f"SELECT MAX(responded_at) FROM {typed}")
    latest = cursor.fetchone()[0]
    if latest is not None and latest > load.now + FUTURE_TOLERANCE:
        raise NotPlain
