"""The overview's segment and channel filters: in the URL with the other filters, honoured by
every score panel and CSV, a breakdown by segment and by channel with the small-sample rule,
and the same few queries as the unfiltered page."""

import csv
import io
from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.core.cache import cache
from django.utils import timezone

from metrics.models import Metric, SurveyResponse
from metrics.services.rollups import rollup_rebuild
from metrics.services.segments import segment_rollup_rebuild
from metrics.stats import MIN_RESPONSES
from overview import panels
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
_ids = iter(range(10**9))


def answers(touchpoint, scores, *, segment, days_ago=3):
    day = timezone.localdate() - timedelta(days=days_ago)
    at = timezone.make_aware(datetime.combine(day, time(12)))
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=Metric.NPS,
            score=score,
            responded_at=at,
            source="t",
            external_id=f"o-{next(_ids)}",
            segment=segment,
        )
        for score in scores
    )


def roll_up():
    rollup_rebuild(detect=False)
    segment_rollup_rebuild()
    cache.clear()


@pytest.fixture
def segmented(department_a, department_b):
    """Web shop (A): Enterprise 40 promoters, Consumer 40 detractors. Phone line (B): Consumer
    30 passives, Enterprise `MIN_RESPONSES - 1` promoters."""
    stage = JourneyStageFactory(name="Buy")
    shop = TouchpointFactory(stage=stage, department=department_a, name="Web shop", channel="web")
    line = TouchpointFactory(
        stage=stage, department=department_b, name="Phone line", channel="phone"
    )
    answers(shop, [10] * 40, segment="Enterprise")
    answers(shop, [0] * 40, segment="Consumer")
    answers(line, [8] * 30, segment="Consumer")
    answers(line, [10] * (MIN_RESPONSES - 1), segment="Enterprise")
    roll_up()
    return {"shop": shop, "line": line}


def page(client, query=""):
    response = client.get(f"/?period=30d{query}")
    assert response.status_code == 200
    return response.content.decode()


def table(client, panel, query=""):
    response = client.get(f"/overview/{panel}.csv?period=30d{query}")
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_headline_counts_only_the_chosen_segment_and_channel(client_for, executive, segmented):
    client = client_for(executive)
    assert "n = 139" in page(client)
    enterprise = page(client, "&segment=Enterprise")
    assert "Organisation NPS · Enterprise" in enterprise
    assert "n = 69" in enterprise
    both = page(client, "&segment=Consumer&channel=web")
    assert "Organisation NPS · Consumer · Web" in both
    assert "n = 40" in both


def test_a_channel_keeps_only_its_touch_points_on_the_journey_map(client_for, executive, segmented):
    rows = table(client_for(executive), "journeys", "&channel=phone")
    assert [row[2] for row in rows[1:]] == ["Phone line"]


def test_every_score_csv_follows_the_filters(client_for, executive, segmented):
    client = client_for(executive)
    tiles = table(client, "tiles", "&segment=Consumer")
    # Consumer: 40 detractors on the web and 30 passives by phone → NPS −40 / 70.
    assert (tiles[1][0], tiles[1][1], tiles[1][4]) == ("Organisation NPS · Consumer", "-57.1", "70")
    trend = table(client, "trend", "&segment=Consumer&channel=phone")
    assert [row[4] for row in trend[1:]] == ["30"]
    scorecard = table(client, "scorecard", "&channel=web")
    assert "Phone line" not in str(scorecard)


def test_the_breakdown_csv_holds_each_group_with_its_interval_and_the_rule(
    client_for, executive, segmented
):
    rows = table(client_for(executive), "breakdown")
    assert rows[0] == ["by", "group", "metric", "score", "low", "high", "n", "note"]
    by = {(row[0], row[1]): row for row in rows[1:]}
    consumer = by["segment", "Consumer"]
    assert (consumer[2], consumer[6], consumer[7]) == ("nps", "70", "")
    assert float(consumer[4]) < float(consumer[3]) < float(consumer[5])
    # Enterprise: 40 on the web and 29 by phone, 69 in all; by phone alone, one short.
    assert by["segment", "Enterprise"][6] == "69"
    assert by["channel", "Phone"][6] == "59"
    phone_only = table(client_for(executive), "breakdown", "&channel=phone")
    enterprise_by_phone = next(r for r in phone_only if r[:2] == ["segment", "Enterprise"])
    assert (enterprise_by_phone[6], enterprise_by_phone[7]) == (
        str(MIN_RESPONSES - 1),
        "too few responses",
    )


@pytest.mark.parametrize("extra", [0, 1])
def test_a_segment_at_the_minimum_is_judged_and_one_below_is_not(
    client_for, executive, segmented, extra
):
    answers(segmented["line"], [10] * extra, segment="Enterprise")
    roll_up()
    body = page(client_for(executive), "&segment=Enterprise&channel=phone")
    n = MIN_RESPONSES - 1 + extra
    assert (f"too few responses (n = {n})" in body) is (n < MIN_RESPONSES)
    assert ("± " in body) is (n >= MIN_RESPONSES)


def test_the_filters_travel_in_the_url_and_the_csv_links(client_for, executive, segmented):
    body = page(client_for(executive), "&segment=Enterprise&channel=web")
    assert "trend.csv?period=30d&amp;grain=day&amp;segment=Enterprise&amp;channel=web" in body
    assert '<option value="Enterprise" selected>Enterprise</option>' in body
    assert '<option value="web" selected>Web</option>' in body


def test_an_unknown_segment_or_channel_shows_everyone_and_says_which_values_exist(
    client_for, executive, segmented
):
    body = page(client_for(executive), "&segment=Nobody&channel=fax")
    assert "unknown segment &#x27;Nobody&#x27;; the segments are: Consumer, Enterprise" in body
    assert "unknown channel &#x27;fax&#x27;; the channels are: phone, web" in body
    assert "n = 139" in body


@pytest.mark.parametrize(
    ("query", "named"),
    [("&segment=Nobody", b"Consumer, Enterprise"), ("&channel=fax", b"phone, web")],
)
def test_a_csv_for_an_unknown_segment_or_channel_is_a_400_naming_it(
    client_for, executive, segmented, query, named
):
    response = client_for(executive).get(f"/overview/tiles.csv?period=30d{query}")
    assert response.status_code == 400
    assert query[1:].split("=")[0].encode() in response.content and named in response.content


def test_each_segment_and_channel_is_its_own_cache_entry(client_for, executive, segmented):
    client = client_for(executive)
    with mock.patch.object(panels, "compute_panels", wraps=panels.compute_panels) as compute:
        for query in (
            "",
            "&segment=Enterprise",
            "&segment=Consumer",
            "&channel=web",
            "&segment=Enterprise",
            "&segment=Enterprise&channel=web",
        ):
            page(client, query)
    assert compute.call_count == 5


@pytest.mark.parametrize("query", ["", "&segment=Enterprise", "&segment=Consumer&channel=web"])
def test_a_filtered_overview_makes_as_few_queries_as_the_whole_one(
    client_for, executive, segmented, django_assert_num_queries, query
):
    from tests.overview.test_panel_cache import COLD, WARM

    client = client_for(executive)
    page(client)  # the first request after sign-in writes the session
    cache.clear()
    with django_assert_num_queries(COLD):
        page(client, query)
    with django_assert_num_queries(WARM):
        page(client, query)


def test_people_without_a_role_are_refused_the_filtered_csv(client_for, outsider, segmented):
    assert client_for(outsider).get("/overview/breakdown.csv?segment=Enterprise").status_code == 403
