# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""The segment roll-up: metric × scope × customer segment × grain × period, from responses that
carry a segment. One pass over those responses into touch-point days; stage, journey,
department and organisation days are summed from those rows, and weeks, months, quarters and
years from the grain nested inside them, exactly as the main roll-up does."""

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from metrics.models import Grain, RollupWatermark, Scope, SegmentRollup
from metrics.services.rollups import (
    _GRAIN_SOURCES,
    _SCOPE_SOURCES,
    _SUMS,
    _category_sql,
    _day_sql,
    _trunc_sql,
    _tz,
    acquire_rollup_lock,
)

_COLUMNS = (
    "metric, scope, scope_id, segment, grain, period_start, n, promoters, passives, "
    "detractors, total, total_sq"
)


@transaction.atomic
def segment_rollup_rebuild() -> int:
    """Recompute every segment roll-up row; returns how many rows were written.

    Moves the roll-up version on (the watermark's `updated_at`) so that anything cached by it,
    such as the overview's panels, is computed again from the new segment rows."""
    acquire_rollup_lock()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_segmentrollup")
        cursor.execute(
            f"INSERT INTO metrics_segmentrollup ({_COLUMNS}) "
            f"SELECT r.metric, %s, r.touchpoint_id, r.segment, %s, {_day_sql()}, COUNT(*), "
            f"{_category_sql(0)}, {_category_sql(1)}, {_category_sql(2)}, SUM(r.score), "
            "SUM(r.score * r.score) FROM metrics_surveyresponse r WHERE r.segment <> '' "
            "GROUP BY 1, 3, 4, 6",
            [Scope.TOUCHPOINT, Grain.DAY, _tz()],
        )
        for scope, (join, scope_id) in _SCOPE_SOURCES.items():
            cursor.execute(
                f"INSERT INTO metrics_segmentrollup ({_COLUMNS}) "
                f"SELECT r.metric, %s, {scope_id}, r.segment, r.grain, r.period_start, {_SUMS} "
                f"FROM metrics_segmentrollup r JOIN metrics_touchpoint t ON t.id = r.scope_id "
                f"{join} WHERE r.scope = %s GROUP BY 1, 3, 4, 5, 6",
                [scope, Scope.TOUCHPOINT],
            )
        for grain, source in _GRAIN_SOURCES:
            cursor.execute(
                f"INSERT INTO metrics_segmentrollup ({_COLUMNS}) "
                f"SELECT r.metric, r.scope, r.scope_id, r.segment, %s, "
                f"{_trunc_sql(grain, 'r.period_start')}, {_SUMS} "
                "FROM metrics_segmentrollup r WHERE r.grain = %s GROUP BY 1, 2, 3, 4, 6",
                [grain, source],
            )
        if connection.vendor == "postgresql":
            # Every row is new: plan the next reads on the new table, not the emptied one.
            cursor.execute("ANALYZE metrics_segmentrollup")
    RollupWatermark.objects.filter(pk=1).update(
        updated_at=timezone.now(), last_response_id=F("last_response_id")
    )
    return SegmentRollup.objects.count()
