# ruff: noqa: S608 - SQL names only tables of this app and definitions read from the catalogue.
"""Set a table's indexes aside for a bulk write and rebuild them after (PostgreSQL).

Built once from the loaded rows, an index costs a fraction of the same rows inserted one by one
into it (even the primary key's: maintained row by row it more than doubled a bulk insert), and
one foreign-key validation join replaces a per-row trigger check. Re-adding a unique constraint
re-proves that no row is there twice. The definitions are read back from the catalogue, so they
stay whatever the migrations made them. Used by the response import's bulk paths
(metrics.services.ingest) and by the roll-up rebuild (metrics.services.rollups).
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.db import connection


@contextmanager
def indexes_set_aside(
    cursor: Any, table: str, *, build_settings: Mapping[str, str] | None = None
) -> Iterator[None]:
    """Drop `table`'s indexes and its primary-key, unique and foreign-key constraints for the
    block, and rebuild them when it ends (under `build_settings`, e.g. more sort memory).

    The caller holds the table exclusively (LOCK TABLE, TRUNCATE) until commit, and DDL is
    transactional: a block that fails leaves nothing to rebuild once its transaction or savepoint
    rolls back, so nothing is rebuilt then. Check constraints stay, and keep refusing bad rows.
    A foreign key of another table that references this one would make dropping the primary
    key fail loudly, not pass silently.
    """
    quote = connection.ops.quote_name
    # ALTER TABLE refuses while deferred checks of this transaction's earlier writes are pending.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary AND NOT EXISTS "
        "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)",
        [table],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = %s::regclass AND contype IN ('f', 'p', 'u') ORDER BY contype DESC",
        [table],
    )
    constraints = cursor.fetchall()
    for name, _ in constraints:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    for name, _ in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    yield
    settings = dict(build_settings or {})
    for name, value in settings.items():
        cursor.execute(f"SET LOCAL {name} = {value}")
    for _, definition in indexes:
        cursor.execute(definition)
    for name, definition in constraints:
        cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    for name in settings:
        cursor.execute(f"SET LOCAL {name} TO DEFAULT")
    # Django's own foreign keys are DEFERRABLE INITIALLY DEFERRED: back to that.
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
