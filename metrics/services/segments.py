# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""The segment roll-up: metric × scope × customer segment × month, from responses that carry a
segment. One pass over those responses into touch-point months; stage, journey, department and
organisation months are summed from those rows, as the main roll-up does."""

from django.db import connection, transaction

from metrics.models import Grain, Scope, SegmentRollup
from metrics.services.rollups import (
    _SCOPE_SOURCES,
    _SUMS,
    _category_sql,
    _day_sql,
    _trunc_sql,
    _tz,
    acquire_rollup_lock,
)

_COLUMNS = (
    "metric, scope, scope_id, segment, period_start, n, promoters, passives, detractors, "
    "total, total_sq"
)


@transaction.atomic
def segment_rollup_rebuild() -> int:
    """Recompute every segment roll-up row; returns how many rows were written."""
    acquire_rollup_lock()
    month = _trunc_sql(Grain.MONTH, _day_sql())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM metrics_segmentrollup")
        cursor.execute(
            f"INSERT INTO metrics_segmentrollup ({_COLUMNS}) "
            f"SELECT r.metric, %s, r.touchpoint_id, r.segment, {month}, COUNT(*), "
            f"{_category_sql(0)}, {_category_sql(1)}, {_category_sql(2)}, SUM(r.score), "
            "SUM(r.score * r.score) FROM metrics_surveyresponse r WHERE r.segment <> '' "
            "GROUP BY 1, 3, 4, 5",
            [Scope.TOUCHPOINT, _tz()],
        )
        for scope, (join, scope_id) in _SCOPE_SOURCES.items():
            cursor.execute(
                f"INSERT INTO metrics_segmentrollup ({_COLUMNS}) "
                f"SELECT r.metric, %s, {scope_id}, r.segment, r.period_start, {_SUMS} "
                f"FROM metrics_segmentrollup r JOIN metrics_touchpoint t ON t.id = r.scope_id "
                f"{join} WHERE r.scope = %s GROUP BY 1, 3, 4, 5",
                [scope, Scope.TOUCHPOINT],
            )
    return SegmentRollup.objects.count()
