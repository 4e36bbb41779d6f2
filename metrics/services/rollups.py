# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""Roll-ups: raw responses → touch point × day → every scope × every grain.

`rollup_incremental` recomputes the days touched by responses newer than the watermark. Each step
is an INSERT … SELECT that reads the step below it (raw → touch-point days → scope days → weeks,
months → quarters → years), so a small batch of new responses only rereads its own touch-point
days. Recomputing (delete + insert) rather than adding deltas keeps both idempotent: running
twice, or again after a worker died midway, gives the same rows.

`rollup_rebuild` on PostgreSQL makes one pass over raw responses into a temporary table of
touch point × metric × day, then derives every scope and grain from that small table in one
INSERT, sorted in the unique index's order; its cost is close to a plain GROUP BY of the raw rows.
"""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from metrics.models import Grain, Metric, RollupWatermark, Scope, SurveyResponse
from metrics.selectors import period_after, period_start_of
from metrics.stats import CATEGORY_THRESHOLDS

# pg_advisory_xact_lock key shared by roll-ups (exclusive) and ingest (shared): while a roll-up
# holds it no ingest transaction is in flight, so every response id below the new watermark is
# committed and visible — none can slip in behind the watermark.
ROLLUP_LOCK_KEY = 7_310_003

# scope → (extra join, the scope id expression), for deriving scope days from touch-point days.
_SCOPE_SOURCES = {
    Scope.STAGE: ("", "t.stage_id"),
    Scope.JOURNEY: ("JOIN metrics_journeystage s ON s.id = t.stage_id", "s.journey_id"),
    Scope.DEPARTMENT: ("", "t.department_id"),
    Scope.ORGANISATION: ("", "0"),
}
# Each coarser grain is summed from the finest grain that nests inside it.
_GRAIN_SOURCES = [
    (Grain.WEEK, Grain.DAY),
    (Grain.MONTH, Grain.DAY),
    (Grain.QUARTER, Grain.MONTH),
    (Grain.YEAR, Grain.QUARTER),
]
_COLUMNS = (
    "metric, scope, scope_id, grain, period_start, n, promoters, passives, detractors, "
    "total, total_sq, updated_at"
)
_SUMS = (
    "SUM(r.n), SUM(r.promoters), SUM(r.passives), SUM(r.detractors), SUM(r.total), SUM(r.total_sq)"
)


@dataclass(frozen=True)
class RollupResult:
    responses: int  # responses folded in (all of them for a rebuild)
    first_day: date | None
    last_day: date | None
    seconds: float
    breach_ids: tuple[int, ...] = ()


def acquire_rollup_lock(*, shared: bool = False) -> None:
    """Serialise roll-ups (and hold off ingest) until the current transaction ends."""
    if connection.vendor == "postgresql":
        function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {function}(%s)", [ROLLUP_LOCK_KEY])
    # SQLite: transactions are IMMEDIATE (see settings), so writers are already serialised.


def _tz() -> str:
    return settings.TIME_ZONE if settings.USE_TZ else "UTC"


def _day_sql() -> str:
    """The local calendar day of r.responded_at, in the project's time zone."""
    if connection.vendor == "postgresql":
        return "(r.responded_at AT TIME ZONE %s)::date"
    return "django_datetime_cast_date(r.responded_at, %s, 'UTC')"


def _trunc_sql(grain: str, column: str) -> str:
    if connection.vendor == "postgresql":
        return f"date_trunc('{grain}', {column})::date"
    if grain == Grain.WEEK:
        return (
            f"date({column}, '-' || ((CAST(strftime('%%w', {column}) AS INTEGER) + 6) %% 7) "
            "|| ' days')"
        )
    if grain == Grain.MONTH:
        return f"strftime('%%Y-%%m-01', {column})"
    if grain == Grain.QUARTER:
        return (
            f"strftime('%%Y-', {column}) || printf('%%02d', "
            f"((CAST(strftime('%%m', {column}) AS INTEGER) - 1) / 3) * 3 + 1) || '-01'"
        )
    return f"strftime('%%Y-01-01', {column})"


def _category_sql(index: int) -> str:
    """SUM(CASE …) counting promoters (index 0), passives (1) or detractors (2) of every metric."""
    parts = []
    for metric, (promoter_at, passive_at) in CATEGORY_THRESHOLDS.items():
        if index == 0:
            condition = f"r.score >= {promoter_at}"
        elif index == 1:
            condition = f"r.score >= {passive_at} AND r.score < {promoter_at}"
        else:
            condition = f"r.score < {passive_at}"
        parts.append(f"(r.metric = '{metric}' AND {condition})")
    return f"SUM(CASE WHEN {' OR '.join(parts)} THEN 1 ELSE 0 END)"


def _local_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(_tz()))


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _recompute(*, first: date | None, last: date | None, touchpoint_ids: list[int] | None) -> None:
    """Recompute every roll-up row whose period overlaps first..last (all time when None)."""
    now = timezone.now()
    in_range = first is not None and last is not None

    # 1. Touch point × day, from raw responses.
    where: list[str] = ["1=1"]
    params: list[object] = []
    delete_where: list[str] = ["scope = %s", "grain = %s"]
    delete_params: list[object] = [Scope.TOUCHPOINT, Grain.DAY]
    if in_range:
        assert first is not None and last is not None  # noqa: S101 - narrows for mypy
        where += ["r.responded_at >= %s", "r.responded_at < %s"]
        params += [_local_midnight(first), _local_midnight(last + timedelta(days=1))]
        delete_where += ["period_start >= %s", "period_start <= %s"]
        delete_params += [first, last]
    if touchpoint_ids is not None:
        marks = ", ".join(["%s"] * len(touchpoint_ids))
        where.append(f"r.touchpoint_id IN ({marks})")
        params += touchpoint_ids
        # Naming every metric lets the (touch point, metric, responded_at) index seek straight
        # to the date range instead of reading each touch point's whole history.
        where.append(f"r.metric IN ({', '.join(['%s'] * len(Metric.values))})")
        params += Metric.values
        delete_where.append(f"scope_id IN ({marks})")
        delete_params += touchpoint_ids
    _execute(f"DELETE FROM metrics_rollup WHERE {' AND '.join(delete_where)}", delete_params)
    day = _day_sql()
    _execute(
        f"INSERT INTO metrics_rollup ({_COLUMNS}) "
        f"SELECT r.metric, %s, r.touchpoint_id, %s, {day}, COUNT(*), {_category_sql(0)}, "
        f"{_category_sql(1)}, {_category_sql(2)}, SUM(r.score), SUM(r.score * r.score), %s "
        f"FROM metrics_surveyresponse r WHERE {' AND '.join(where)} "
        "GROUP BY 1, 3, 5",
        [Scope.TOUCHPOINT, Grain.DAY, _tz(), now, *params],
    )

    # 2. Stage, journey, department and organisation days, from touch-point days.
    range_sql = " AND {0}period_start >= %s AND {0}period_start <= %s" if in_range else ""
    range_params = [first, last] if in_range else []
    for scope, (join, scope_id) in _SCOPE_SOURCES.items():
        _execute(
            "DELETE FROM metrics_rollup WHERE scope = %s AND grain = %s" + range_sql.format(""),
            [scope, Grain.DAY, *range_params],
        )
        _execute(
            f"INSERT INTO metrics_rollup ({_COLUMNS}) "
            f"SELECT r.metric, %s, {scope_id}, %s, r.period_start, {_SUMS}, %s "
            f"FROM metrics_rollup r JOIN metrics_touchpoint t ON t.id = r.scope_id {join} "
            f"WHERE r.scope = %s AND r.grain = %s{range_sql.format('r.')} "
            "GROUP BY 1, 3, 5",
            [scope, Grain.DAY, now, Scope.TOUCHPOINT, Grain.DAY, *range_params],
        )

    # 3. Coarser grains for every scope, each from the grain nested inside it.
    for grain, source in _GRAIN_SOURCES:
        period = _trunc_sql(grain, "r.period_start")
        grain_range_sql = ""
        grain_params: list[date] = []
        if in_range:
            assert first is not None and last is not None  # noqa: S101 - narrows for mypy
            lo, hi = period_start_of(grain, first), period_start_of(grain, last)
            grain_range_sql = " AND {0}period_start >= %s AND {0}period_start < %s"
            grain_params = [lo, period_after(grain, hi)]
        _execute(
            f"DELETE FROM metrics_rollup WHERE grain = %s{grain_range_sql.format('')}",
            [grain, *grain_params],
        )
        _execute(
            f"INSERT INTO metrics_rollup ({_COLUMNS}) "
            f"SELECT r.metric, r.scope, r.scope_id, %s, {period}, {_SUMS}, %s "
            f"FROM metrics_rollup r WHERE r.grain = %s{grain_range_sql.format('r.')} "
            "GROUP BY 1, 2, 3, 5",
            [grain, now, source, *grain_params],
        )


def _watermark() -> RollupWatermark:
    watermark, _ = RollupWatermark.objects.select_for_update().get_or_create(id=1)
    return watermark


@transaction.atomic
def rollup_rebuild(*, detect: bool = True) -> RollupResult:
    """Recompute every roll-up row from raw responses, then look for breaches."""
    started = time.perf_counter()
    acquire_rollup_lock()
    watermark = _watermark()
    # Under the exclusive lock no import is in flight: every id up to this one is committed.
    last_id = SurveyResponse.objects.aggregate(last_id=Max("id"))["last_id"] or 0
    if connection.vendor == "postgresql":
        responses, first_day, last_day = _rebuild_postgres(last_id)
    else:
        bounds = SurveyResponse.objects.aggregate(
            first_at=Min("responded_at"), last_at=Max("responded_at")
        )
        _execute("DELETE FROM metrics_rollup", [])
        _recompute(first=None, last=None, touchpoint_ids=None)
        tz = ZoneInfo(_tz())
        responses = SurveyResponse.objects.count()
        first_day = bounds["first_at"].astimezone(tz).date() if bounds["first_at"] else None
        last_day = bounds["last_at"].astimezone(tz).date() if bounds["last_at"] else None
    watermark.last_response_id = last_id
    watermark.save(update_fields=["last_response_id", "updated_at"])
    breach_ids = _detect() if detect else ()
    return RollupResult(
        responses=responses,
        first_day=first_day,
        last_day=last_day,
        seconds=time.perf_counter() - started,
        breach_ids=breach_ids,
    )


def _rebuild_postgres(last_id: int) -> tuple[int, date | None, date | None]:
    """Raw responses → a temporary day table (one scan) → every scope × grain → the roll-ups.

    Sums stay integers at each step (a per-day count fits easily), so PostgreSQL aggregates them
    in 64-bit integers rather than in numeric, several times slower. Scope days are summed from
    touch-point days, and coarser grains from scope days, so each aggregate reads few rows.
    """
    coarser = ", ".join(
        f"('{grain}', {_trunc_sql(grain, 's.day')})" for grain in Grain.values if grain != Grain.DAY
    )
    scopes = ", ".join(
        f"('{scope}', {expression})"
        for scope, expression in [
            (Scope.STAGE, "t.stage_id"),
            (Scope.JOURNEY, "st.journey_id"),
            (Scope.DEPARTMENT, "t.department_id"),
            (Scope.ORGANISATION, "0"),
        ]
    )
    sums = (
        "SUM({0}n)::int AS n, SUM({0}promoters)::int AS promoters, "
        "SUM({0}passives)::int AS passives, SUM({0}detractors)::int AS detractors, "
        "SUM({0}total)::int AS total, SUM({0}total_sq)::int AS total_sq"
    )
    with connection.cursor() as cursor:
        # The day table's hash aggregate and the final sort fit in memory instead of spilling.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute("DROP TABLE IF EXISTS metrics_rollup_day, metrics_rollup_new")
        cursor.execute(
            "CREATE TEMPORARY TABLE metrics_rollup_day ON COMMIT DROP AS "
            f"SELECT r.metric, r.touchpoint_id, {_day_sql()} AS day, COUNT(*)::int AS n, "
            f"{_category_sql(0)}::int AS promoters, {_category_sql(1)}::int AS passives, "
            f"{_category_sql(2)}::int AS detractors, SUM(r.score)::int AS total, "
            "SUM(r.score * r.score)::int AS total_sq "
            "FROM metrics_surveyresponse r WHERE r.id <= %s GROUP BY 1, 2, 3",
            [_tz(), last_id],
        )
        cursor.execute("SELECT SUM(n), MIN(day), MAX(day) FROM metrics_rollup_day")
        responses, first_day, last_day = cursor.fetchone()
        cursor.execute(
            "CREATE TEMPORARY TABLE metrics_rollup_new ON COMMIT DROP AS "
            "WITH scoped AS ("
            "  SELECT metric, %s AS scope, touchpoint_id AS scope_id, day, n, promoters, "
            "    passives, detractors, total, total_sq FROM metrics_rollup_day"
            "  UNION ALL"
            f"  SELECT d.metric, x.scope, x.scope_id, d.day, {sums.format('d.')} "
            "  FROM metrics_rollup_day d JOIN metrics_touchpoint t ON t.id = d.touchpoint_id "
            "  JOIN metrics_journeystage st ON st.id = t.stage_id "
            f"  CROSS JOIN LATERAL (VALUES {scopes}) AS x(scope, scope_id) "
            "  GROUP BY 1, 2, 3, 4"
            ") "
            "SELECT metric, scope, scope_id, grain, period_start, n, promoters, passives, "
            "  detractors, total, total_sq, %s::timestamptz AS updated_at FROM ("
            "  SELECT metric, scope, scope_id, %s AS grain, day AS period_start, n, promoters, "
            "    passives, detractors, total, total_sq FROM scoped"
            "  UNION ALL"
            "  SELECT s.metric, s.scope, s.scope_id, g.grain, g.period_start, "
            f"    {sums.format('s.')} "
            f"  FROM scoped s CROSS JOIN LATERAL (VALUES {coarser}) AS g(grain, period_start) "
            "  GROUP BY 1, 2, 3, 4, 5"
            ") AS every_row",
            [Scope.TOUCHPOINT, timezone.now(), Grain.DAY],
        )
        # Everything above ran without blocking readers. TRUNCATE (not DELETE) leaves no dead
        # rows for the unique index to step over, which made the insert cost ~13 µs a row; it
        # holds readers off until commit, a fraction of a second. It is not MVCC-safe for a
        # REPEATABLE READ transaction begun earlier; the app reads in READ COMMITTED.
        cursor.execute("TRUNCATE metrics_rollup")
        cursor.execute(
            f"INSERT INTO metrics_rollup ({_COLUMNS}) SELECT {_COLUMNS} FROM metrics_rollup_new"
        )
    return int(responses or 0), first_day, last_day


@transaction.atomic
def rollup_incremental(*, detect: bool = True) -> RollupResult:
    """Fold in responses that arrived since the watermark: only the periods they touch.

    Cost follows the new responses: an index range scan on id > watermark finds the touched
    touch points and days; only those touch-point days are reread from raw, and every coarser
    row is summed from roll-up rows, never from raw history.
    """
    started = time.perf_counter()
    acquire_rollup_lock()
    watermark = _watermark()
    new = SurveyResponse.objects.filter(id__gt=watermark.last_response_id)
    touched = list(
        new.values("touchpoint_id")
        .annotate(first_at=Min("responded_at"), last_at=Max("responded_at"), last_id=Max("id"))
        .order_by()
    )
    if not touched:
        return RollupResult(0, None, None, time.perf_counter() - started)
    tz = ZoneInfo(_tz())
    first = min(row["first_at"] for row in touched).astimezone(tz).date()
    last = max(row["last_at"] for row in touched).astimezone(tz).date()
    last_id = max(row["last_id"] for row in touched)
    count = new.filter(id__lte=last_id).count()
    _recompute(
        first=first, last=last, touchpoint_ids=sorted(row["touchpoint_id"] for row in touched)
    )
    watermark.last_response_id = last_id
    watermark.save(update_fields=["last_response_id", "updated_at"])
    breach_ids = _detect() if detect else ()
    return RollupResult(count, first, last, time.perf_counter() - started, breach_ids)


def _detect() -> tuple[int, ...]:
    from metrics.services.breaches import breaches_detect

    return tuple(breaches_detect())
