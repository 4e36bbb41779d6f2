"""Plotly figures of the overview, built from the selectors' plain data.

Each builder returns a plain dict (the figure's JSON) so tests can read the numbers and the page
embeds it with json_script; static/cco/base.js draws it with plotly.js from our own static files.
"""

import json
from typing import Any

import plotly.graph_objects as go

from cco.charts import plotly_text
from metrics.selectors import SayDo
from overview.selectors import JourneyMap, RoadmapHealth, ScorecardRow, Trend
from roadmap.selectors import initiative_statuses

INK, MUTED, LINE = "#1f2933", "#616e7c", "#d9dee4"
ACCENT, BAND = "#1d4f91", "rgba(29, 79, 145, 0.15)"
RAG_COLOURS = {"red": "#d64545", "amber": "#e8a33d", "green": "#3f9b6c", "grey": "#c5ccd3"}
RAG_LEVEL = {"grey": 0, "red": 1, "amber": 2, "green": 3}
STATUS_COLOURS = {
    "proposed": "#c5ccd3",
    "planned": "#8fb3de",
    "in_progress": "#1d4f91",
    "at_risk": "#e8a33d",
    "done": "#3f9b6c",
    "dropped": "#9aa5b1",
}


def base_layout(**extra: Any) -> dict[str, Any]:
    layout: dict[str, Any] = {
        "template": "none",
        "font": {"family": "system-ui, sans-serif", "size": 13, "color": INK},
        "margin": {"l": 48, "r": 16, "t": 24, "b": 40},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hovermode": "closest",
        "showlegend": True,
        "legend": {"orientation": "h", "y": -0.18},
        "xaxis": {"gridcolor": LINE, "linecolor": LINE},
        "yaxis": {"gridcolor": LINE, "linecolor": LINE, "zeroline": False},
    }
    layout.update(extra)
    return layout


def as_dict(figure: go.Figure) -> dict[str, Any]:
    return json.loads(figure.to_json())


def nps_trend_figure(trend: Trend) -> dict[str, Any]:
    points = [p for p in trend.points if p.value is not None]
    x = [p.period_start.isoformat() for p in points]
    figure = go.Figure(
        layout=base_layout(yaxis={"title": "NPS", "gridcolor": LINE, "range": [-100, 100]})
    )
    banded = [p for p in points if p.low is not None and p.high is not None]
    if banded:
        figure.add_trace(
            go.Scatter(
                x=[p.period_start.isoformat() for p in banded]
                + [p.period_start.isoformat() for p in reversed(banded)],
                y=[p.high for p in banded] + [p.low for p in reversed(banded)],
                fill="toself",
                fillcolor=BAND,
                line={"width": 0},
                hoverinfo="skip",
                name="95% interval",
            )
        )
    figure.add_trace(
        go.Scatter(
            x=x,
            y=[round(p.value, 1) for p in points if p.value is not None],
            mode="lines+markers",
            name=plotly_text(f"{trend.scope.label} NPS"),
            line={"color": ACCENT, "width": 2},
            marker={
                "size": [7 if p.enough else 4 for p in points],
                "color": [ACCENT if p.enough else MUTED for p in points],
            },
            customdata=[p.n for p in points],
            hovertemplate="%{x}<br>NPS %{y}<br>n = %{customdata}<extra></extra>",
        )
    )
    for target in trend.targets:
        figure.add_trace(
            go.Scatter(
                x=[target.start.isoformat(), target.end.isoformat()],
                y=[target.start_value, target.end_value],
                mode="lines",
                name=plotly_text(target.label),
                line={"color": "#3f9b6c", "dash": "dash"},
            )
        )
    for kind, symbol, colour, label in (
        ("breach", "x", RAG_COLOURS["red"], "Breach raised"),
        ("accomplishment", "star", "#3f9b6c", "Key accomplishment"),
    ):
        markers = [m for m in trend.markers if m.kind == kind]
        if markers:
            figure.add_trace(
                go.Scatter(
                    x=[m.day.isoformat() for m in markers],
                    y=[-95 if kind == "breach" else 95] * len(markers),
                    mode="markers",
                    name=label,
                    marker={"symbol": symbol, "size": 11, "color": colour},
                    text=[plotly_text(m.text) for m in markers],
                    customdata=[m.url for m in markers],
                    hovertemplate="%{x}<br>%{text}<extra></extra>",
                )
            )
    return as_dict(figure)


def journey_figure(journey_map: JourneyMap) -> dict[str, Any]:
    """Each journey's stages left to right, with the peak and the pit called out."""
    figure = go.Figure(layout=base_layout(yaxis={"title": "Stage NPS", "gridcolor": LINE}))
    annotations = []
    for row in journey_map.journeys:
        stages = [s for s in row.stages if s.estimate.value is not None]
        figure.add_trace(
            go.Scatter(
                x=[plotly_text(s.name) for s in stages],
                y=[round(s.estimate.value or 0, 1) for s in stages],
                mode="lines+markers",
                # Plotly's hover shows the trace's name beside the template's text.
                name=plotly_text(row.journey.name),
                customdata=[s.estimate.n for s in stages],
                hovertemplate="%{x}<br>NPS %{y}<br>n = %{customdata}",
            )
        )
        for column, word in ((row.peak, "peak"), (row.pit, "pit")):
            if column is not None and column.estimate.value is not None:
                annotations.append(
                    {
                        "x": plotly_text(column.name),
                        "y": column.estimate.value,
                        "text": f"{word}: {column.estimate.value:+.0f}",
                        "showarrow": True,
                        "arrowhead": 2,
                        "ay": -28 if word == "peak" else 28,
                        "font": {"color": RAG_COLOURS["green" if word == "peak" else "red"]},
                    }
                )
    figure.update_layout(annotations=annotations)
    return as_dict(figure)


def scorecard_figure(rows: list[ScorecardRow], columns: list[str]) -> dict[str, Any]:
    """Departments × measures as a red / amber / green heatmap; a click opens the department."""
    z = [[RAG_LEVEL[cell.rag] for cell in row.cells] for row in rows]
    # The colour's name is written in each cell, so the heatmap reads without colour vision.
    text = [[f"{cell.label}<br>{plotly_text(cell.text)}" for cell in row.cells] for row in rows]
    names = [plotly_text(row.department.name) for row in rows]
    urls = [[row.url for _ in row.cells] for row in rows]
    colourscale = [
        [0.0, RAG_COLOURS["grey"]],
        [0.25, RAG_COLOURS["grey"]],
        [0.25, RAG_COLOURS["red"]],
        [0.5, RAG_COLOURS["red"]],
        [0.5, RAG_COLOURS["amber"]],
        [0.75, RAG_COLOURS["amber"]],
        [0.75, RAG_COLOURS["green"]],
        [1.0, RAG_COLOURS["green"]],
    ]
    figure = go.Figure(
        go.Heatmap(
            z=z,
            x=columns,
            y=names,
            text=text,
            texttemplate="%{text}",
            customdata=urls,
            colorscale=colourscale,
            zmin=0,
            zmax=3,
            showscale=False,
            xgap=3,
            ygap=3,
            hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
        ),
        layout=base_layout(
            showlegend=False,
            # Two lines a cell: the colour's name above the figure.
            height=max(260, 46 * len(rows) + 80),
            margin={"l": 240, "r": 16, "t": 48, "b": 16},
            yaxis={"autorange": "reversed", "gridcolor": "rgba(0,0,0,0)"},
            xaxis={"side": "top", "tickangle": 0, "gridcolor": "rgba(0,0,0,0)"},
        ),
    )
    return as_dict(figure)


def roadmap_status_figure(health: RoadmapHealth) -> dict[str, Any]:
    """Initiatives by status, stacked per pillar."""
    figure = go.Figure(
        layout=base_layout(barmode="stack", yaxis={"title": "Initiatives", "gridcolor": LINE})
    )
    names = [plotly_text(pillar.name) for pillar in health.pillars]
    for status, label in initiative_statuses():
        counts = [pillar.by_status.get(status, 0) for pillar in health.pillars]
        if any(counts):
            figure.add_trace(
                go.Bar(
                    x=names,
                    y=counts,
                    name=label,
                    marker={"color": STATUS_COLOURS[status]},
                )
            )
    return as_dict(figure)


def say_do_figure(say_do: SayDo) -> dict[str, Any]:
    """Retention (bars, left axis) and mean revenue (diamonds, right axis) by NPS category."""
    rows = [row for row in say_do.rows if row.customers]
    labels = [row.label for row in rows]
    colours = {"promoter": RAG_COLOURS["green"], "passive": RAG_COLOURS["amber"],
               "detractor": RAG_COLOURS["red"]}  # fmt: skip
    figure = go.Figure(layout=base_layout(
        yaxis={"title": "Retained %", "range": [0, 100], "gridcolor": LINE},
        yaxis2={"title": "Mean revenue", "overlaying": "y", "side": "right", "showgrid": False,
                "rangemode": "tozero"},
        margin={"l": 56, "r": 64, "t": 24, "b": 40},
    ))  # fmt: skip
    figure.add_trace(go.Bar(
        x=labels, y=[round(row.retention or 0, 1) for row in rows], name="Retained %",
        marker={"color": [colours[row.category] for row in rows]},
        customdata=[row.customers for row in rows],
        hovertemplate="%{x}<br>%{y}% retained<br>%{customdata} customers<extra></extra>",
    ))  # fmt: skip
    figure.add_trace(go.Scatter(
        x=labels, y=[round(row.mean_revenue, 2) if row.mean_revenue is not None else None
                     for row in rows],
        name="Mean revenue", yaxis="y2", mode="markers",
        marker={"symbol": "diamond", "size": 13, "color": INK},
    ))  # fmt: skip
    return as_dict(figure)
