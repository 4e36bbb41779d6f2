"""One helper sets a table's indexes aside for a bulk write (metrics/services/bulk_indexes.py).
The bulk response import's use of it is pinned in test_copy_ingest.py and test_plain_files.py;
here, the roll-up rebuild's."""

from datetime import UTC, datetime

import pytest
from django.db import connection

from metrics.services.rollups import rollup_rebuild
from tests.conftest import requires_postgres
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = [pytest.mark.django_db, requires_postgres]


def structures(table: str) -> set[str]:
    """Every index and constraint of `table`, as PostgreSQL defines them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass "
            "UNION ALL SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass",
            [table, table],
        )
        return {row[0] for row in cursor.fetchall()}


def test_a_rollup_rebuild_puts_back_every_index_and_constraint_it_set_aside() -> None:
    touchpoint = TouchpointFactory()
    for score in (3, 9, 10):
        SurveyResponseFactory(
            touchpoint=touchpoint, metric="nps", score=score,
            responded_at=datetime(2025, 3, 1, 10, tzinfo=UTC),
        )  # fmt: skip
    before = structures("metrics_rollup")
    assert len(before) >= 3  # the primary key, the unique period, the secondary index
    rollup_rebuild(detect=False)
    assert structures("metrics_rollup") == before
