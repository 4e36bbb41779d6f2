# ruff: noqa: S608 - SQL is assembled only from this module's constants; every value is a parameter.
"""Roll-ups: raw responses → touch point × day → every scope × every grain.

`rollup_incremental` recomputes the days touched by responses newer than the watermark. Each step
is an INSERT … SELECT that reads the step below it (raw → touch-point days → scope days → weeks,
months → quarters → years), so a small batch of new responses only rereads its own touch-point
days. Recomputing (delete + insert) rather than adding deltas keeps both idempotent: running
twice, or again after a worker died midway, gives the same rows.

`rollup_rebuild` on PostgreSQL makes one pass over raw responses into a temporary table of
touch point × metric × day, derives every scope and grain from that small table, then empties
the roll-up table and inserts the new rows in the unique index's order with the table's indexes
dropped, building them once the rows are in (all inside the one transaction).
"""

import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.db.models import Max, Min
from django.utils import timezone

from metrics.models import Grain, Metric, RollupWatermark, Scope, SurveyResponse
from metrics.selectors import period_after, period_start_of
from metrics.services.bulk_indexes import indexes_set_aside
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
        # Served by metrics_resp_tp_time alone: each touch point's date range, with metric and
        # score read from the index.
        where.append(f"r.touchpoint_id IN ({marks})")
        params += touchpoint_ids
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
        responses, first_day, last_day = _rebuild_postgres()
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


# Every score at which some metric's category changes (promoter or passive thresholds).
_THRESHOLDS = sorted({at for pair in CATEGORY_THRESHOLDS.values() for at in pair})


def _category_from_counts(index: int) -> str:
    """Promoters (index 0) or detractors (1) of a day-table row, from its threshold counts."""
    cases = " ".join(
        f"WHEN '{metric}' THEN {'' if index == 0 else 'n - '}ge_{thresholds[index]}"
        for metric, thresholds in CATEGORY_THRESHOLDS.items()
    )
    return f"CASE metric {cases} END"


def _index_position(column: str, values: list[str]) -> str:
    """Where column's value falls in the roll-up indexes' order: byte order, which is also the
    collation's order for these lower-case ASCII codes."""
    return f"array_position('{{{','.join(sorted(values))}}}'::text[], {column}::text)"


# Touch point × metric × local day, in one scan of raw responses. The scan counts scores at or
# above each threshold with plain comparisons; which count is a metric's promoters is decided
# later, per day row, rather than per response. The response table's check constraint admits
# only metrics that CATEGORY_THRESHOLDS covers.
_DAY_TABLE_SQL = (
    "CREATE TEMPORARY TABLE metrics_rollup_day ON COMMIT DROP AS "
    "SELECT r.touchpoint_id, (r.responded_at AT TIME ZONE %s)::date AS day, r.metric, "
    "  COUNT(*)::int AS n, "
    + "".join(f"COUNT(*) FILTER (WHERE r.score >= {at})::int AS ge_{at}, " for at in _THRESHOLDS)
    + "  SUM(r.score)::int AS total, SUM(r.score * r.score)::int AS total_sq "
    "FROM metrics_surveyresponse r GROUP BY 1, 2, 3"
)
_DAY_SUMS = (
    "SUM(d.n)::int, SUM(d.promoters)::int, SUM(d.detractors)::int, SUM(d.total)::int, "
    "SUM(d.total_sq)::int"
)
_WIDE_SUMS = (
    "SUM(n) AS n, SUM(promoters) AS promoters, SUM(detractors) AS detractors, "
    "SUM(total) AS total, SUM(total_sq) AS total_sq"
)
# Quarters and years add up 64-bit sums, which PostgreSQL does in numeric: a few thousand rows.
_BIG_SUMS = (
    "SUM(n)::bigint AS n, SUM(promoters)::bigint AS promoters, "
    "SUM(detractors)::bigint AS detractors, SUM(total)::bigint AS total, "
    "SUM(total_sq)::bigint AS total_sq"
)
_WEEK, _MONTH = "date_trunc('week', day::timestamp)", "date_trunc('month', day::timestamp)"
# One bigint that sorts like the unique index (metric, scope, scope_id, grain, period_start):
# 5 bits of metric and scope, 35 of scope id, 3 of grain, 20 of days since 1900. Sorting on one
# integer is several times faster than on five columns; were an id ever wider, the order would
# only be less sorted, never the rows wrong.
_SORT_KEY = (
    f"((({_index_position('metric', Metric.values)} * 8 "
    f"+ {_index_position('scope', Scope.values)})::bigint << 35 | scope_id) << 23) "
    f"| ({_index_position('grain', Grain.values)}::bigint << 20) "
    "| (period_start - DATE '1900-01-01')"
)
# Every scope × grain from the day table. GROUPING(stage, journey, department) is a bit mask of
# the columns a row is not grouped by: 3 = by stage, 5 = by journey, 6 = by department.
_NEW_TABLE_SQL = (
    "CREATE TEMPORARY TABLE metrics_rollup_new ON COMMIT DROP AS "
    "WITH touchpoint_day AS ("
    f"  SELECT touchpoint_id, day, metric, n, {_category_from_counts(0)} AS promoters, "
    f"    {_category_from_counts(1)} AS detractors, total, total_sq FROM metrics_rollup_day"
    "), scope_day AS ("
    "  SELECT metric, %s::text AS scope, touchpoint_id::bigint AS scope_id, day, n, promoters, "
    "    detractors, total, total_sq FROM touchpoint_day"
    "  UNION ALL"
    "  SELECT d.metric, CASE GROUPING(t.stage_id, st.journey_id, t.department_id) "
    f"    WHEN 3 THEN '{Scope.STAGE}' WHEN 5 THEN '{Scope.JOURNEY}' "
    f"    WHEN 6 THEN '{Scope.DEPARTMENT}' ELSE '{Scope.ORGANISATION}' END, "
    f"    COALESCE(t.stage_id, st.journey_id, t.department_id, 0), d.day, {_DAY_SUMS} "
    "  FROM touchpoint_day d JOIN metrics_touchpoint t ON t.id = d.touchpoint_id "
    "  JOIN metrics_journeystage st ON st.id = t.stage_id "
    "  GROUP BY d.metric, d.day, "
    "    GROUPING SETS (t.stage_id, st.journey_id, t.department_id, ())"
    "), week_month AS ("
    "  SELECT metric, scope, scope_id, "
    f"    CASE GROUPING({_WEEK}) WHEN 0 THEN '{Grain.WEEK}' ELSE '{Grain.MONTH}' END AS grain, "
    f"    COALESCE({_WEEK}, {_MONTH})::date AS period_start, {_WIDE_SUMS} "
    f"  FROM scope_day GROUP BY metric, scope, scope_id, GROUPING SETS ({_WEEK}, {_MONTH})"
    "), quarter AS ("
    f"  SELECT metric, scope, scope_id, '{Grain.QUARTER}' AS grain, "
    f"    date_trunc('quarter', period_start::timestamp)::date AS period_start, {_BIG_SUMS} "
    f"  FROM week_month WHERE grain = '{Grain.MONTH}' GROUP BY 1, 2, 3, 4, 5"
    ") "
    "SELECT metric, scope, scope_id, %s AS grain, day AS period_start, n::bigint AS n, "
    "  promoters::bigint AS promoters, detractors::bigint AS detractors, total::bigint AS total, "
    "  total_sq::bigint AS total_sq FROM scope_day "
    "UNION ALL SELECT * FROM week_month "
    "UNION ALL SELECT * FROM quarter "
    f"UNION ALL SELECT metric, scope, scope_id, '{Grain.YEAR}', "
    f"  date_trunc('year', period_start::timestamp)::date, {_BIG_SUMS} "
    "FROM quarter GROUP BY 1, 2, 3, 4, 5"
)
_INSERT_SQL = (
    f"INSERT INTO metrics_rollup ({_COLUMNS}) "
    "SELECT metric, scope, scope_id, grain, period_start, n, promoters, "
    "  n - promoters - detractors, detractors, total, total_sq, %s "
    f"FROM metrics_rollup_new ORDER BY {_SORT_KEY}"
)


def _rebuild_postgres() -> tuple[int, date | None, date | None]:
    """Raw responses → a temporary day table (one scan) → every scope × grain → the roll-ups.

    Each step reads the smallest table that holds what it needs: touch-point days from raw
    responses, scope days from touch-point days (GROUPING SETS, one pass), weeks and months from
    scope days, quarters from months, years from quarters. Day sums are 32-bit integers, which
    PostgreSQL adds in a 64-bit accumulator (numeric would be several times slower); a day's
    sums overflow only past ~21 M responses a day in one scope, and then the rebuild fails
    loudly rather than storing a wrong sum. Coarser sums are 64-bit, as the columns are.
    """
    with connection.cursor() as cursor:
        # Enough for the scan's hash aggregate (~150 bytes a touch-point day) and the derivations
        # to stay in memory, and no more: the planner expects about as many groups as responses
        # and sizes the scan's hash table up to work_mem, so at 64 MB the table is mostly empty
        # buckets and the scan ran ~30 % slower at 10 M responses (cache misses on every row).
        cursor.execute("SET LOCAL work_mem = '16MB'")
        cursor.execute("DROP TABLE IF EXISTS metrics_rollup_day, metrics_rollup_new")
        # A response committed after the watermark's id was read (by a writer that does not
        # take the roll-up lock) may be counted here; the next incremental roll-up recomputes
        # its day whole, so it is never counted twice.
        index_only = _index_only_scan_pays(cursor)
        if index_only:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(_DAY_TABLE_SQL, [_tz()])
        if index_only:
            cursor.execute("SET LOCAL enable_seqscan TO DEFAULT")
        cursor.execute("SELECT SUM(n), MIN(day), MAX(day) FROM metrics_rollup_day")
        responses, first_day, last_day = cursor.fetchone()
        cursor.execute(_NEW_TABLE_SQL, [Scope.TOUCHPOINT, Grain.DAY])
        # Everything above ran without blocking readers. TRUNCATE (not DELETE) leaves no dead
        # rows behind; it holds readers off until commit. It is not MVCC-safe for a REPEATABLE
        # READ transaction begun earlier; the app reads in READ COMMITTED.
        cursor.execute("TRUNCATE metrics_rollup")
        _swap_in(cursor)
        # The table's statistics still describe what was truncated until autovacuum passes; the
        # pages read next (the overview's range sums, the scorecard's join) were planned as if
        # the table held a row, and took nested loops several times slower than a hash join.
        cursor.execute("ANALYZE metrics_rollup")
    return int(responses or 0), first_day, last_day


def _index_only_scan_pays(cursor: CursorWrapper) -> bool:
    """Whether to read responses from metrics_resp_tp_time rather than from the table.

    The index holds every column the day table needs (touch point, time, metric, score) in about
    a third of the table's bytes, and reading it alone took the 10 M-response scan from ~5 s to
    ~3 s. The planner never picks it for a whole-table aggregate: it prices index pages as
    random reads. But an index-only scan still visits the table for every page not yet marked
    all-visible by VACUUM, so it pays only when nearly all are. relallvisible is as of the last
    VACUUM; the table's pages are counted now, so a bulk import since then counts as unvisited.
    """
    cursor.execute(
        "SELECT relallvisible, pg_relation_size(oid) / current_setting('block_size')::bigint "
        "FROM pg_class WHERE oid = 'metrics_surveyresponse'::regclass"
    )
    visible, pages = cursor.fetchone()
    return bool(pages) and visible >= 0.95 * pages


def _swap_in(cursor: CursorWrapper) -> None:
    """Insert the new rows into the emptied roll-up table, building its indexes afterwards.

    Maintaining the unique constraint and the secondary index row by row cost ~7 µs a row;
    a bulk build sorts once, and the rows go in already in the unique index's order, so that
    build only has to confirm the order. TRUNCATE already holds the table exclusively, and DDL
    is transactional: a rebuild that dies midway leaves the old rows and indexes exactly as
    they were.
    """
    # Tens of thousands of rows: starting parallel workers would cost more than they save.
    no_parallel_build = {"max_parallel_maintenance_workers": "0"}
    with indexes_set_aside(cursor, "metrics_rollup", build_settings=no_parallel_build):
        cursor.execute(_INSERT_SQL, [timezone.now()])


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
