"""The overview's figures are built as plain dicts, without plotly.py's objects (their
validation was most of a cold request's Python time). Each must be exactly what plotly.py would
write for it: valid, and unchanged by going through its validation."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import plotly.graph_objects as go

from metrics.selectors import SayDo, SayDoRow
from overview.charts import (
    journey_figure,
    nps_trend_figure,
    roadmap_status_figure,
    say_do_figure,
)
from overview.selectors import TrendMarker
from tests.overview.test_chart_fit import trend_with_targets
from tests.overview.test_overview import overview_for


def through_plotly(figure):
    """The figure as plotly.py validates and writes it; an unknown property raises."""
    return json.loads(go.Figure(figure).to_json())


def test_every_overview_figure_is_what_plotly_would_write(journey_world):
    data = overview_for(period="30d", grain="day")
    for figure in (
        nps_trend_figure(data.trend),
        journey_figure(data.journey_map),
        roadmap_status_figure(data.roadmap),
        say_do_figure(data.say_do),
    ):
        assert figure == through_plotly(figure)


def test_a_trend_with_targets_and_markers_is_what_plotly_would_write():
    trend = replace(
        trend_with_targets([20.0, 24.0, 22.0]),
        markers=[
            TrendMarker(day=date(2026, 1, 2), kind="breach", text="<b>Late</b>", url="/x/"),
            TrendMarker(day=date(2026, 1, 3), kind="accomplishment", text="Shipped", url="/y/"),
        ],
    )
    figure = nps_trend_figure(trend)
    assert {t["name"] for t in figure["data"]} >= {"Breach raised", "Key accomplishment"}
    assert figure["layout"]["yaxis"]["title"] == {"text": "NPS"}
    assert figure == through_plotly(figure)


def test_decimals_become_numbers_and_no_annotations_leave_none(db):
    rows = [
        SayDoRow(
            category="promoter",
            label="Promoters",
            customers=3,
            retention=Decimal("66.666"),
            mean_revenue=Decimal("12.345"),
        )
    ]
    figure = say_do_figure(SayDo(has_outcomes=True, rows=rows))
    assert figure["data"][0]["y"] == [66.7]
    assert figure["data"][1]["y"] == [12.34]  # Decimal rounds half to even
    assert isinstance(figure["data"][1]["y"][0], float)
    assert figure == through_plotly(figure)
    empty = nps_trend_figure(replace(trend_with_targets([]), targets=[]))
    assert "annotations" not in empty["layout"]
    assert empty == through_plotly(empty)
