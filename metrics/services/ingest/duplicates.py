# ruff: noqa: S608 - SQL names only staging tables of this package; every value is a parameter.
"""An external id twice in one file: the first occurrence counts, every later one is refused.

The one duplicate check of every ingest path, run in SQL on a staging table (columns
`row_number` and `external_id`, on PostgreSQL or SQLite), so a file of any size is checked
without holding its ids in memory.
"""

from typing import Any

from cco.importing import MAX_REPORTED_ERRORS, RowError
from metrics.services.ingest.report import ImportReport


def has_duplicate_ids(cursor: Any, table: str, *, where: str = "") -> bool:
    """Whether some external id stands on two rows of `table` (those `where` picks)."""
    cursor.execute(
        f"SELECT 1 FROM {table} {where} GROUP BY external_id HAVING COUNT(*) > 1 LIMIT 1"
    )
    return cursor.fetchone() is not None


def duplicates_set_aside(cursor: Any, report: ImportReport, table: str, *, where: str = "") -> None:
    """Report every later occurrence of an external id seen on an earlier row of `table` (the
    rows `where` picks: those valid so far), and delete those later rows from it.

    The file's valid rows are then its rows left in the table, each external id once.
    """
    if not has_duplicate_ids(cursor, table, where=where):
        return
    later = f"{table}_later"
    cursor.execute(f"DROP TABLE IF EXISTS {later}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {later} AS SELECT row_number, external_id, first_row FROM "
        "(SELECT row_number, external_id, MIN(row_number) OVER (PARTITION BY external_id) "
        f"AS first_row FROM {table} {where}) AS s WHERE row_number > first_row"
    )
    cursor.execute(f"SELECT COUNT(*) FROM {later}")
    count = cursor.fetchone()[0]
    cursor.execute(
        f"SELECT row_number, external_id, first_row FROM {later} "
        f"ORDER BY row_number LIMIT {MAX_REPORTED_ERRORS}"
    )
    found = [
        RowError(row, "external_id", f"duplicate of row {first} ({external_id!r})")
        for row, external_id, first in cursor.fetchall()
    ]
    report.add_errors(found, count=count)
    report.skipped_invalid += count
    cursor.execute(f"DELETE FROM {table} WHERE row_number IN (SELECT row_number FROM {later})")
    cursor.execute(f"DROP TABLE {later}")
