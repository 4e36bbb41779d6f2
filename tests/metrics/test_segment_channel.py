"""Scores within a segment, a channel or both, and breakdowns by segment and by channel: sums of
roll-up rows with the one small-sample rule (n ≥ stats.MIN_RESPONSES)."""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from metrics.models import Metric, Scope, SurveyResponse
from metrics.selectors.ranges import headline_scope
from metrics.selectors.segments import (
    Slice,
    breakdown,
    sliced_headline,
    sliced_range_scores,
    sliced_score_series,
)
from metrics.services.rollups import rollup_rebuild
from metrics.services.segments import segment_rollup_rebuild
from metrics.stats import MIN_RESPONSES
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
_ids = iter(range(10**9))


def answers(touchpoint, scores, *, segment, days_ago=3, metric=Metric.NPS):
    day = timezone.localdate() - timedelta(days=days_ago)
    at = timezone.make_aware(datetime.combine(day, time(12)))
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=metric,
            score=score,
            responded_at=at,
            source="t",
            external_id=f"c-{next(_ids)}",
            segment=segment,
        )
        for score in scores
    )


@pytest.fixture
def world():
    """One journey, one stage, one department: a web touch point and a phone one.
    Web: Enterprise 30 × 10 (NPS 100), SMB 10 × 0. Phone: Enterprise 10 × 0, SMB 30 × 0."""
    stage = JourneyStageFactory()
    web = TouchpointFactory(stage=stage, channel="web")
    phone = TouchpointFactory(stage=stage, channel="phone", department=web.department)
    answers(web, [10] * 30, segment="Enterprise")
    answers(web, [0] * 10, segment="SMB")
    answers(phone, [0] * 10, segment="Enterprise")
    answers(phone, [0] * 30, segment="SMB")
    rollup_rebuild(detect=False)
    segment_rollup_rebuild()
    return {"stage": stage, "web": web, "phone": phone, "department": web.department}


def span():
    today = timezone.localdate()
    return today - timedelta(days=29), today


def test_a_channels_scores_at_every_scope_are_the_sums_of_its_touch_points(world):
    start, end = span()
    scores = sliced_range_scores(start=start, end=end, where=Slice(channel="web"))
    assert scores.touchpoint(world["web"].pk).n == 40
    assert scores.touchpoint(world["phone"].pk).n == 0
    stage = scores.stage(world["stage"].pk)
    assert (stage.n, stage.value) == (40, pytest.approx(100 * (30 - 10) / 40))
    assert scores.journey(world["stage"].journey_id).n == 40
    assert scores.department(world["department"].pk).n == 40


def test_a_segment_and_a_channel_together_count_only_their_answers(world):
    start, end = span()
    both = Slice("Enterprise", "web")
    scores = sliced_range_scores(start=start, end=end, where=both)
    assert scores.department(world["department"].pk).n == 30
    scope = headline_scope(department_id=world["department"].pk)
    headline = sliced_headline(scope, start=start, end=end, previous_start=start, where=both)
    assert (headline.current.n, headline.current.value) == (30, 100.0)
    [point] = sliced_score_series(
        metric="nps", scope=Scope.ORGANISATION, scope_id=0, grain="day", where=both
    )
    assert (point.n, point.value) == (30, 100.0)


def test_a_segment_alone_reads_its_own_roll_up_at_every_scope(world):
    start, end = span()
    scores = sliced_range_scores(start=start, end=end, where=Slice("SMB"))
    assert scores.department(world["department"].pk).n == 40
    assert scores.touchpoint(world["phone"].pk).value == -100.0


def test_breakdowns_by_segment_within_a_channel_and_by_channel_within_a_segment(world):
    start, end = span()
    scope = {"scope": Scope.ORGANISATION, "scope_id": 0, "start": start, "end": end}
    by_segment = breakdown("segment", where=Slice(channel="phone"), **scope)
    assert [(r.group, r.estimate.n) for r in by_segment] == [("Enterprise", 10), ("SMB", 30)]
    by_channel = breakdown("channel", where=Slice("Enterprise"), **scope)
    # In the order of the channel list (phone before web), labelled by name.
    assert [(r.label, r.estimate.n, r.estimate.value) for r in by_channel] == [
        ("Phone", 10, -100.0),
        ("Web", 30, 100.0),
    ]


@pytest.mark.parametrize("n", [MIN_RESPONSES - 1, MIN_RESPONSES])
def test_a_group_is_judged_only_from_the_minimum_number_of_answers(n):
    touchpoint = TouchpointFactory(channel="app")
    answers(touchpoint, [10] * n, segment="Consumer")
    answers(touchpoint, [10] * 50, segment="Enterprise")
    rollup_rebuild(detect=False)
    segment_rollup_rebuild()
    start, end = span()
    rows = breakdown(
        "segment", scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk, start=start, end=end
    )
    consumer = next(row for row in rows if row.group == "Consumer")
    assert consumer.estimate.n == n
    assert consumer.estimate.enough is (n >= MIN_RESPONSES)
    [app] = breakdown(
        "channel",
        scope=Scope.TOUCHPOINT,
        scope_id=touchpoint.pk,
        start=start,
        end=end,
        where=Slice("Consumer"),
    )
    assert (app.group, app.estimate.enough) == ("app", n >= MIN_RESPONSES)


def test_the_range_of_a_breakdown_includes_both_ends(world):
    today = timezone.localdate()
    three_days_ago = today - timedelta(days=3)
    rows = breakdown(
        "segment", scope=Scope.ORGANISATION, scope_id=0, start=three_days_ago, end=three_days_ago
    )
    assert sum(row.estimate.n for row in rows) == 80
    assert breakdown("segment", scope=Scope.ORGANISATION, scope_id=0, start=today, end=today) == []


def test_the_breakdown_api_answers_with_intervals_and_the_small_sample_rule(
    api_for, executive, world
):
    answer = api_for(executive).get(
        "/api/scores/breakdown/",
        {
            "by": "segment",
            "scope": "department",
            "scope_id": world["department"].pk,
            "metric": "nps",
            "channel": "web",
        },
    )
    assert answer.status_code == 200
    enterprise, smb = answer.json()
    assert (enterprise["group"], enterprise["n"], enterprise["enough"]) == ("Enterprise", 30, True)
    assert enterprise["low"] < enterprise["value"] <= enterprise["high"]
    assert (smb["group"], smb["n"], smb["enough"]) == ("SMB", 10, False)


@pytest.mark.parametrize(
    ("query", "field", "named"),
    [
        ({"by": "segment", "channel": "fax"}, "channel", "email"),
        ({"by": "channel", "segment": "Nobody"}, "segment", "Enterprise"),
        ({"by": "age"}, "by", "segment"),
        ({"by": "segment", "start": "2026-05-02", "end": "2026-05-01"}, "end", "start"),
    ],
)
def test_the_breakdown_api_refuses_what_it_cannot_read_naming_the_parameter(
    api_for, cco, world, query, field, named
):
    answer = api_for(cco).get(
        "/api/scores/breakdown/", {"scope": "organisation", "scope_id": 0, **query}
    )
    assert answer.status_code == 400
    assert named in str(answer.json()[field])


def test_outsiders_are_refused_the_breakdown(api_for, outsider, world):
    query = {"by": "segment", "scope": "organisation", "scope_id": 0}
    assert api_for(outsider).get("/api/scores/breakdown/", query).status_code == 403
    assert api_for(None).get("/api/scores/breakdown/", query).status_code == 401


def test_the_department_page_filters_by_segment_and_channel_and_breaks_down(
    client_for, head_a, world
):
    department = world["department"]
    client = client_for(head_a)
    page = client.get(
        f"/metrics/departments/{department.slug}/", {"channel": "web", "segment": "Enterprise"}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert world["web"].name in body and world["phone"].name not in body
    assert "Only Enterprise · Web" in body
    # The breakdown by channel within Enterprise: web 30 answers, phone 10 (too few).
    assert "too few responses" in body


@pytest.mark.parametrize(
    ("param", "value", "named"), [("segment", "Nobody", "SMB"), ("channel", "fax", "store")]
)
def test_score_pages_answer_an_unknown_segment_or_channel_with_a_400_naming_it(
    client_for, executive, world, param, value, named
):
    client = client_for(executive)
    page = client.get(f"/metrics/departments/{world['department'].slug}/", {param: value})
    assert page.status_code == 400
    assert param in page.content.decode() and named in page.content.decode()


def test_the_touch_point_page_breaks_its_score_down_by_segment(client_for, executive, world):
    page = client_for(executive).get(world["web"].get_absolute_url())
    body = page.content.decode()
    assert "NPS by segment, last 90 days" in body
    assert "Enterprise" in body and "too few responses" in body  # SMB: 10 answers


def test_the_segment_rebuild_moves_the_roll_up_version_on(world):
    from metrics.selectors import rollup_state

    before, _ = rollup_state()
    segment_rollup_rebuild()
    assert rollup_state()[0] != before


def test_a_day_in_the_segment_roll_up_is_the_local_day():
    touchpoint = TouchpointFactory()
    answers(touchpoint, [10], segment="SMB", days_ago=0)
    segment_rollup_rebuild()
    [point] = sliced_score_series(
        metric="nps",
        scope=Scope.TOUCHPOINT,
        scope_id=touchpoint.pk,
        grain="day",
        where=Slice("SMB"),
    )
    assert point.period_start == timezone.localdate()
    assert isinstance(point.period_start, date)
