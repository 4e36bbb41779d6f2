"""Plotly figures for the accountability pages, built from selector dataclasses."""

from typing import Any

from accountability.cutoffs import DeliveryCutoffs
from accountability.selectors import MeetingSummary, ScorecardRow
from cco.charts import plotly_text
from metrics.stats import rag_label

GREEN, AMBER, RED, GREY = "#1e7b4f", "#a86400", "#b3261e", "#9aa5b1"


RAG_COLOURS = {"green": GREEN, "amber": AMBER, "red": RED, "grey": GREY}


def on_time_figure(rows: list[ScorecardRow], cutoffs: DeliveryCutoffs) -> dict[str, Any]:
    """Horizontal bars: each department's share of action items done on time, coloured by the
    CCO's cut-offs with the colour's name written on the bar."""
    shown = [row for row in rows if row.on_time_pct is not None]
    shown.sort(key=lambda row: row.on_time_pct or 0)
    rags = [cutoffs.on_time_rag(row.on_time_pct) for row in shown]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "x": [row.on_time_pct for row in shown],
                "y": [plotly_text(row.department.name) for row in shown],
                "marker": {"color": [RAG_COLOURS[rag] for rag in rags]},
                "text": [
                    f"{rag_label(rag)} · {row.done_on_time} of {row.due_count}"
                    for rag, row in zip(rags, shown, strict=True)
                ],
                "hovertemplate": "%{y}: %{x}% on time (%{text})<extra></extra>",
            }
        ],
        "layout": {
            "xaxis": {"title": {"text": "Action items done on time (%)"}, "range": [0, 100]},
            "margin": {"l": 220, "r": 20, "t": 10, "b": 50},
            "shapes": [
                _cutoff_line(cutoffs.on_time.green, GREEN),
                _cutoff_line(cutoffs.on_time.amber, AMBER),
            ],
            "height": max(240, 34 * len(shown) + 80),
        },
    }


def _cutoff_line(x: float, colour: str) -> dict[str, Any]:
    """A dashed vertical line where a colour begins."""
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x,
        "x1": x,
        "y0": 0,
        "y1": 1,
        "line": {"color": colour, "dash": "dash", "width": 1},
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
