"""Plotly figures for the accountability pages, built from selector dataclasses."""

from typing import Any

from accountability import stats
from accountability.selectors import MeetingSummary, ScorecardRow
from cco.charts import plotly_text

GREEN, AMBER, RED, GREY = "#1e7b4f", "#a86400", "#b3261e", "#9aa5b1"


RAG_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED, "grey": GREY}


def _colour(pct: float | None) -> str:
    return RAG_COLOURS[stats.on_time_rag(pct)]


def on_time_figure(rows: list[ScorecardRow]) -> dict[str, Any]:
    """Horizontal bars: each department's share of action items done on time."""
    shown = [row for row in rows if row.on_time_pct is not None]
    shown.sort(key=lambda row: row.on_time_pct or 0)
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [row.on_time_pct for row in shown],
                "y": [plotly_text(row.department.name) for row in shown],
                "marker": {"color": [_colour(row.on_time_pct) for row in shown]},
                "text": [f"{row.done_on_time} of {row.due_count}" for row in shown],
                "hovertemplate": "%{y}: %{x}% on time (%{text})<extra></extra>",
            }
        ],
        "layout": {
            "xaxis": {"title": {"text": "Action items done on time (%)"}, "range": [0, 100]},
            "margin": {"l": 220, "r": 20, "t": 10, "b": 50},
            "height": max(240, 34 * len(shown) + 80),
        },
    }


def series_figure(history: list[MeetingSummary]) -> dict[str, Any]:
    """Attendance % and average rating (×10) per meeting, oldest first."""
    ordered = list(reversed(history))
    dates = [summary.meeting.scheduled_at.date().isoformat() for summary in ordered]
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Attendance %",
                "x": dates,
                "y": [summary.attendance_pct for summary in ordered],
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Average rating (1–10)",
                "x": dates,
                "y": [summary.average_rating for summary in ordered],
                "yaxis": "y2",
            },
        ],
        "layout": {
            "yaxis": {"title": {"text": "Attendance %"}, "range": [0, 105]},
            "yaxis2": {
                "title": {"text": "Rating"},
                "range": [0, 10.5],
                "overlaying": "y",
                "side": "right",
            },
            "margin": {"l": 60, "r": 60, "t": 10, "b": 40},
            "legend": {"orientation": "h"},
            "height": 300,
        },
    }
