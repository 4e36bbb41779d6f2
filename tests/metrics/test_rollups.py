"""Roll-ups equal a brute-force recomputation, are idempotent, and follow new data."""

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics.models import Grain, Journey, Rollup, RollupWatermark, Scope, SurveyResponse
from metrics.selectors import period_start_of
from metrics.services import rollup_incremental, rollup_rebuild
from metrics.stats import CATEGORY_THRESHOLDS
from tests.conftest import requires_postgres
from tests.metrics.factories import TouchpointFactory, responses

pytestmark = pytest.mark.django_db


def brute_force() -> dict[tuple, tuple[int, int, int, int, int, int]]:
    """Every roll-up row computed the slow, obvious way from raw responses."""
    rows: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for response in SurveyResponse.objects.select_related("touchpoint__stage"):
        tp = response.touchpoint
        day = response.responded_at.astimezone(UTC).date()
        scopes = [
            (Scope.TOUCHPOINT, tp.pk),
            (Scope.STAGE, tp.stage_id),
            (Scope.JOURNEY, tp.stage.journey_id),
            (Scope.DEPARTMENT, tp.department_id),
            (Scope.ORGANISATION, 0),
        ]
        promoter_at, passive_at = CATEGORY_THRESHOLDS[response.metric]
        category = 1 if response.score >= promoter_at else 2 if response.score >= passive_at else 3
        for scope, scope_id in scopes:
            for grain in Grain.values:
                key = (response.metric, scope, scope_id, grain, period_start_of(grain, day))
                row = rows[key]
                row[0] += 1
                row[category] += 1
                row[4] += response.score
                row[5] += response.score**2
    return {key: tuple(value) for key, value in rows.items()}  # type: ignore[misc]


def stored() -> dict[tuple, tuple[int, int, int, int, int, int]]:
    return {
        (r.metric, r.scope, r.scope_id, r.grain, r.period_start): (
            r.n,
            r.promoters,
            r.passives,
            r.detractors,
            r.total,
            r.total_sq,
        )
        for r in Rollup.objects.all()
    }


def when(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def test_rebuild_stores_counts_sums_and_squares_for_every_scope_and_grain() -> None:
    tp = TouchpointFactory()
    responses(tp, "nps", [10, 9, 8, 7, 6, 0], when(date(2025, 3, 5)))
    rollup_rebuild(detect=False)
    row = Rollup.objects.get(
        metric="nps", scope=Scope.ORGANISATION, scope_id=0, grain=Grain.QUARTER
    )
    assert row.period_start == date(2025, 1, 1)
    assert (row.n, row.promoters, row.passives, row.detractors) == (6, 2, 2, 2)
    assert (row.total, row.total_sq) == (40, 100 + 81 + 64 + 49 + 36)
    week = Rollup.objects.get(metric="nps", scope=Scope.TOUCHPOINT, grain=Grain.WEEK)
    assert week.period_start == date(2025, 3, 3)  # the Monday of that ISO week
    assert stored() == brute_force()


def test_running_the_rebuild_twice_gives_the_same_rows() -> None:
    tp = TouchpointFactory()
    responses(tp, "csat", [5, 4, 3, 1], when(date(2024, 12, 31)))
    rollup_rebuild(detect=False)
    first = stored()
    rollup_rebuild(detect=False)
    assert stored() == first == brute_force()


def test_incremental_folds_in_only_new_responses_and_matches_a_rebuild() -> None:
    tp, other = TouchpointFactory(), TouchpointFactory()
    responses(tp, "nps", [10, 3], when(date(2025, 1, 1)))
    responses(other, "ces", [7, 2], when(date(2025, 6, 30)))
    rollup_rebuild(detect=False)
    responses(tp, "nps", [9, 9, 0], when(date(2025, 1, 2)))
    responses(other, "ces", [4], when(date(2025, 6, 30), hour=23))

    result = rollup_incremental(detect=False)

    assert result.responses == 4
    assert (result.first_day, result.last_day) == (date(2025, 1, 2), date(2025, 6, 30))
    assert stored() == brute_force()
    assert RollupWatermark.objects.get().last_response_id == SurveyResponse.objects.latest("id").pk
    again = rollup_incremental(detect=False)
    assert again.responses == 0
    assert stored() == brute_force()


def test_journey_scope_adds_up_all_its_stages() -> None:
    a = TouchpointFactory()
    b = TouchpointFactory(stage__journey=a.stage.journey)
    responses(a, "nps", [10] * 3, when(date(2025, 2, 1)))
    responses(b, "nps", [0] * 1, when(date(2025, 2, 1)))
    rollup_rebuild(detect=False)
    journey = Journey.objects.get()
    row = Rollup.objects.get(scope=Scope.JOURNEY, scope_id=journey.pk, grain=Grain.YEAR)
    assert (row.n, row.promoters, row.detractors) == (4, 3, 1)


scores = st.lists(
    st.tuples(
        st.integers(0, 2),  # which touch point
        st.sampled_from(["nps", "csat", "ces"]),
        st.integers(0, 10),
        st.integers(0, 500),  # days after 2024-11-20: crosses weeks, months, quarters, years
        st.booleans(),  # arrives after the first roll-up
    ),
    max_size=40,
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scores)
def test_rollups_equal_a_brute_force_recomputation_for_any_responses(data: list) -> None:
    SurveyResponse.objects.all().delete()
    Rollup.objects.all().delete()
    RollupWatermark.objects.all().delete()
    touchpoints = [TouchpointFactory() for _ in range(2)]
    touchpoints.append(TouchpointFactory(stage=touchpoints[0].stage))
    late = []
    for index, metric, raw, offset, arrives_late in data:
        low, high = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}[metric]
        score = low + raw % (high - low + 1)
        day = date(2024, 11, 20) + timedelta(days=offset)
        if arrives_late:
            late.append((touchpoints[index], metric, score, day))
        else:
            responses(touchpoints[index], metric, [score], when(day))
    rollup_rebuild(detect=False)
    for tp, metric, score, day in late:
        responses(tp, metric, [score], when(day, hour=6))
    rollup_incremental(detect=False)
    assert stored() == brute_force()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_a_rebuild_read_from_the_covering_index_alone_gives_the_same_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection

    from metrics.services import rollups

    first, second = TouchpointFactory(), TouchpointFactory()
    for offset in range(40):
        day = date(2025, 1, 1) + timedelta(days=offset)
        responses(first, "nps", [offset % 11, 10, 3], when(day))
        responses(second, ("csat", "ces")[offset % 2], [offset % 5 + 1], when(day, hour=23))
    chosen = []

    def spy(cursor):  # type: ignore[no-untyped-def]
        chosen.append(index_only_scan_pays(cursor))
        return chosen[-1]

    index_only_scan_pays = rollups._index_only_scan_pays
    monkeypatch.setattr(rollups, "_index_only_scan_pays", spy)
    rollup_rebuild(detect=False)
    from_table = stored()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM metrics_surveyresponse")  # marks every page all-visible
    rollup_rebuild(detect=False)
    assert chosen == [False, True]
    assert stored() == from_table == brute_force()


@requires_postgres
@pytest.mark.parametrize("table", ["metrics_rollup", "metrics_segmentrollup"])
def test_a_rebuild_leaves_statistics_of_the_new_rows_for_the_planner(table: str) -> None:
    """Without them the next reads were planned as if the rebuilt table held a row (nested
    loops over thousands of rows); autovacuum would catch up only later, if it runs at all."""
    from django.db import connection

    from metrics.services.segments import segment_rollup_rebuild

    touchpoint = TouchpointFactory()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(touchpoint=touchpoint, metric="nps", score=score, segment="smb",
                       responded_at=when(date(2025, 1, 1)), source="test", external_id=f"s{score}")
        for score in (9, 3)
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = %s::regclass", [table])
        if table == "metrics_rollup":
            rollup_rebuild(detect=False)
        else:
            segment_rollup_rebuild()
        cursor.execute("SELECT COUNT(*) FROM pg_stats WHERE tablename = %s", [table])
        assert cursor.fetchone()[0] > 0
