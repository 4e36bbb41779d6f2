"""The segment roll-up (metric × scope × segment × grain × period) and the ?segment= filter on
the touch point page and the scores API."""

from datetime import date, datetime, time

import pytest
from django.utils import timezone

from metrics.models import Metric, SegmentRollup, SurveyResponse
from metrics.selectors.segments import known_segments, segment_score_series
from metrics.services.segments import segment_rollup_rebuild
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 8, 12)


@pytest.fixture(autouse=True)
def no_rebuild_waiting():
    """A rebuild left "waiting" by one test would hold back another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def answers(touchpoint, scores, *, segment, day=DAY, metric=Metric.NPS):
    at = timezone.make_aware(datetime.combine(day, time(12)))
    start = SurveyResponse.objects.count()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=metric,
            score=score,
            responded_at=at,
            source="t",
            external_id=f"s-{start + i}",
            segment=segment,
        )
        for i, score in enumerate(scores)
    )


def test_segments_roll_up_to_every_scope_and_grain_and_blank_segments_are_left_out():
    stage = JourneyStageFactory()
    first = TouchpointFactory(stage=stage)
    second = TouchpointFactory(stage=stage, department=first.department)
    answers(first, [10, 9, 9, 2], segment="Enterprise")
    answers(second, [7], segment="Enterprise")
    answers(first, [0, 0], segment="Consumer", day=date(2026, 9, 30))
    answers(first, [0] * 5, segment="")
    segment_rollup_rebuild()

    def row(scope, scope_id, segment, grain="month"):
        return SegmentRollup.objects.get(
            metric="nps", scope=scope, scope_id=scope_id, segment=segment, grain=grain
        )

    tp = row("touchpoint", first.pk, "Enterprise")
    assert (tp.period_start, tp.n, tp.promoters, tp.detractors) == (date(2026, 8, 1), 4, 3, 1)
    assert (tp.total, tp.total_sq) == (30, 266)
    department = row("department", first.department_id, "Enterprise")
    assert (department.n, department.promoters, department.passives) == (5, 3, 1)
    assert row("journey", stage.journey_id, "Enterprise").n == 5
    assert row("stage", stage.pk, "Enterprise").n == 5
    assert row("organisation", 0, "Consumer").period_start == date(2026, 9, 1)
    day = row("touchpoint", first.pk, "Enterprise", grain="day")
    assert (day.period_start, day.n, day.total) == (DAY, 4, 30)
    assert row("organisation", 0, "Consumer", grain="week").period_start == date(2026, 9, 28)
    assert row("organisation", 0, "Consumer", grain="quarter").period_start == date(2026, 7, 1)
    assert row("organisation", 0, "Enterprise", grain="year").n == 5
    assert not SegmentRollup.objects.filter(segment="").exists()
    assert known_segments() == ["Consumer", "Enterprise"]
    [point] = segment_score_series(
        metric="nps", scope="department", scope_id=first.department_id, segment="Enterprise"
    )
    assert point.value == pytest.approx(40.0)


@pytest.mark.parametrize(("n", "enough"), [(30, True), (29, False)])
def test_a_segments_month_follows_the_small_sample_rule(n, enough):
    touchpoint = TouchpointFactory()
    answers(touchpoint, [10] * n, segment="SMB")
    segment_rollup_rebuild()
    [point] = segment_score_series(
        metric="nps", scope="touchpoint", scope_id=touchpoint.pk, segment="SMB"
    )
    assert (point.n, point.enough) == (n, enough)


def test_a_rebuild_replaces_every_row():
    touchpoint = TouchpointFactory()
    answers(touchpoint, [10], segment="SMB")
    segment_rollup_rebuild()
    SurveyResponse.objects.all().delete()
    segment_rollup_rebuild()
    assert not SegmentRollup.objects.exists()


def test_the_roll_up_job_rebuilds_the_segment_roll_up():  # (the cache is cleared around it)
    from metrics.tasks import rollup_incremental_task

    touchpoint = TouchpointFactory()
    answers(touchpoint, [10], segment="SMB")
    rollup_incremental_task()
    assert SegmentRollup.objects.filter(scope="organisation", segment="SMB").exists()


@pytest.fixture
def enterprise():
    touchpoint = TouchpointFactory(name="Portal")
    answers(touchpoint, [10] * 20 + [0] * 10, segment="Enterprise")
    segment_rollup_rebuild()
    return touchpoint


@pytest.mark.parametrize("role", ["cco", "executive", "head_a", "head_b", "contributor"])
def test_every_role_reads_a_segments_scores(request, api_for, enterprise, role):
    person = request.getfixturevalue(role)
    answer = api_for(person).get(
        "/api/scores/",
        {"metric": "nps", "scope": "touchpoint", "scope_id": enterprise.pk, "grain": "month",
         "segment": "Enterprise"},
    )  # fmt: skip
    assert answer.status_code == 200
    [point] = answer.json()
    assert (point["n"], point["enough"]) == (30, True)
    assert point["value"] == pytest.approx(100 * 10 / 30)


def test_a_segment_reads_at_every_grain(api_for, cco, enterprise):
    query = {"metric": "nps", "scope": "touchpoint", "scope_id": enterprise.pk,
             "segment": "Enterprise"}  # fmt: skip
    for grain in ("day", "week", "month", "quarter", "year"):
        [point] = api_for(cco).get("/api/scores/", {**query, "grain": grain}).json()
        assert point["n"] == 30, grain


def test_an_unknown_segment_or_channel_is_a_400_naming_it_and_the_allowed_values(
    api_for, cco, enterprise
):
    api = api_for(cco)
    query = {"metric": "nps", "scope": "touchpoint", "scope_id": enterprise.pk, "grain": "month"}
    unknown = api.get("/api/scores/", {**query, "segment": "Nobody"})
    assert unknown.status_code == 400
    assert "Nobody" in str(unknown.json()["segment"])
    assert "Enterprise" in str(unknown.json()["segment"])
    channel = api.get("/api/scores/", {**query, "channel": "fax"})
    assert channel.status_code == 400
    assert "web" in str(channel.json()["channel"]) and "phone" in str(channel.json()["channel"])


def test_outsiders_are_refused_a_segments_scores(api_for, outsider, enterprise):
    query = {"metric": "nps", "scope": "organisation", "scope_id": 0, "grain": "month",
             "segment": "Enterprise"}  # fmt: skip
    assert api_for(outsider).get("/api/scores/", query).status_code == 403
    assert api_for(None).get("/api/scores/", query).status_code == 401


def test_the_touch_point_page_filters_its_trend_by_segment(client_for, executive, enterprise):
    client = client_for(executive)
    page = client.get(enterprise.get_absolute_url(), {"segment": "Enterprise"})
    assert page.status_code == 200
    assert b"Weekly trend of Enterprise" in page.content
    unknown = client.get(enterprise.get_absolute_url(), {"segment": "Nobody"})
    assert unknown.status_code == 400
    assert b"segment" in unknown.content and b"Enterprise" in unknown.content


def test_a_burst_of_roll_ups_queues_one_rebuild_until_it_starts():
    from unittest import mock

    from metrics import tasks

    touchpoint = TouchpointFactory()
    with mock.patch.object(tasks, "enqueue", return_value=True) as queued:
        for batch in range(3):
            answers(touchpoint, [10], segment="SMB", day=date(2026, 8, 1 + batch))
            tasks.rollup_incremental_task()
        # Every roll-up also queues the overview's cheap warm-up; only rebuilds are deduplicated.
        rebuilds = [
            call.args[0]
            for call in queued.call_args_list
            if call.args[0] != tasks.OVERVIEW_WARM_TASK
        ]
        assert sorted(rebuilds) == [tasks.DRIVERS_TASK, tasks.SAY_DO_TASK, tasks.SEGMENT_TASK]
        assert len(queued.call_args_list) == 3 + 3
        tasks.segment_rollup_rebuild_task()  # starts: the next new answers queue it again
        answers(touchpoint, [10], segment="SMB", day=date(2026, 8, 9))
        tasks.rollup_incremental_task()
        # The rebuild moved the roll-up version on, so it warms the overview's default view.
        assert [call.args[0] for call in queued.call_args_list[6:]] == [
            tasks.OVERVIEW_WARM_TASK,
            tasks.SEGMENT_TASK,
            tasks.OVERVIEW_WARM_TASK,
        ]


def test_a_rebuild_the_broker_refused_is_queued_again_by_the_next_roll_up():
    from unittest import mock

    from metrics import tasks

    with mock.patch.object(tasks, "enqueue", return_value=False) as queued:
        assert tasks.enqueue_rebuild(tasks.SEGMENT_TASK) is False
        assert tasks.enqueue_rebuild(tasks.SEGMENT_TASK) is False
    assert queued.call_count == 2
