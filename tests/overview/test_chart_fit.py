"""The overview's charts fit their data: the NPS axis, the target labels, the call-outs."""

from datetime import date

import pytest

from metrics.selectors import ScorePoint
from metrics.selectors.ranges import HeadlineScope
from overview.charts import (
    LABEL_GAP_SHARE,
    MIN_NPS_SPAN,
    fitted_range,
    journey_figure,
    nps_trend_figure,
    spread_labels,
)
from overview.selectors import TargetLine, Trend
from tests.overview.test_overview import overview_for


def test_a_range_holds_every_value_with_a_margin():
    low, high = fitted_range([10.0, 40.0])
    assert low < 10 and high > 40
    assert high - low < 40  # not −100..100


def test_a_flat_series_gets_the_smallest_span_centred_on_it():
    low, high = fitted_range([30.0, 30.0])
    assert (high + low) / 2 == pytest.approx(30)
    assert high - low == pytest.approx(MIN_NPS_SPAN * 1.16)


def test_the_smallest_span_applies_below_it_and_not_at_it():
    just_under = fitted_range([0.0, MIN_NPS_SPAN - 0.5])
    at = fitted_range([0.0, MIN_NPS_SPAN])
    assert just_under[0] == pytest.approx(-0.25 - MIN_NPS_SPAN * 0.08)
    assert at[0] == pytest.approx(-MIN_NPS_SPAN * 0.08)


def test_the_range_never_passes_what_nps_can_be():
    assert fitted_range([-100.0, 100.0]) == [-100.0, 100.0]


def test_labels_closer_than_the_gap_are_pushed_apart_and_others_stay():
    assert spread_labels([10.0, 12.0, 40.0], 5.0) == [10.0, 15.0, 40.0]
    assert spread_labels([10.0, 15.0], 5.0) == [10.0, 15.0]  # exactly the gap: untouched
    assert spread_labels([12.0, 10.0, 11.0], 5.0) == [20.0, 10.0, 15.0]


def trend_with_targets(values):
    points = [
        ScorePoint(
            period_start=date(2026, 1, 1 + i), value=v, low=v - 4, high=v + 4, n=100, enough=True
        )
        for i, v in enumerate(values)
    ]
    targets = [
        TargetLine(
            label=f"Target {i}",
            start=date(2026, 1, 1),
            start_value=t,
            end=date(2026, 1, 9),
            end_value=t,
        )
        for i, t in enumerate((30.0, 31.0, 32.0))
    ]
    return Trend(
        scope=HeadlineScope(scope="org", scope_id=0, label="Organisation"),
        start=date(2026, 1, 1),
        end=date(2026, 1, 9),
        points=points,
        targets=targets,
    )


def test_the_nps_axis_fits_the_line_its_band_and_the_targets():
    figure = nps_trend_figure(trend_with_targets([20.0, 24.0, 22.0]))
    low, high = figure["layout"]["yaxis"]["range"]
    assert low < 16 and high > 32  # the band's low edge and the highest target
    assert high - low < 40


def test_target_lines_are_labelled_and_the_labels_do_not_overlap():
    figure = nps_trend_figure(trend_with_targets([20.0, 24.0, 22.0]))
    low, high = figure["layout"]["yaxis"]["range"]
    labels = {a["text"]: a["y"] for a in figure["layout"]["annotations"]}
    assert set(labels) == {"Target 0", "Target 1", "Target 2"}
    heights = sorted(labels.values())
    gap = (high - low) * LABEL_GAP_SHARE
    assert all(b - a >= gap - 1e-9 for a, b in zip(heights, heights[1:], strict=False))


def test_the_journey_axis_leaves_room_for_the_peak_and_pit_call_outs(journey_world):
    figure = journey_figure(overview_for(period="30d").journey_map)
    low, high = figure["layout"]["yaxis"]["range"]
    # Stage NPS 40 and −40: both inside, with a margin for the arrows.
    assert low < -40 - 10 and high > 40 + 10
    assert figure["layout"]["xaxis"]["automargin"] is True


def test_a_journey_with_two_stages_has_a_peak_and_a_pit_call_out(journey_world):
    figure = journey_figure(overview_for(period="30d").journey_map)
    texts = sorted(a["text"] for a in figure["layout"]["annotations"])
    assert texts == ["peak: +40", "pit: -40"]


def test_a_journey_with_one_scored_stage_has_no_call_out(journey_world):
    from metrics.models import SurveyResponse

    SurveyResponse.objects.filter(touchpoint=journey_world["invoice"]).delete()
    from metrics.services.rollups import rollup_rebuild

    rollup_rebuild(detect=False)
    journey_map = overview_for(period="30d").journey_map
    assert journey_map.journeys[0].peak is journey_map.journeys[0].pit
    assert journey_figure(journey_map)["layout"].get("annotations", []) == []
