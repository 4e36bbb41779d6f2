"""Plotly figures of the overview, built from the selectors' plain data.

Each builder returns a plain dict (the figure's JSON) so tests can read the numbers and the page
embeds it with json_script; static/cco/base.js draws it with plotly.js from our own static files.
"""

import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from cco.charts import plotly_text
from metrics.selectors import SayDo
from overview.selectors import Breakdowns, JourneyMap, RoadmapHealth, Trend
from roadmap.selectors import initiative_statuses

INK, MUTED, LINE = "#1f2933", "#616e7c", "#d9dee4"
ACCENT, BAND = "#1d4f91", "rgba(29, 79, 145, 0.15)"
TARGET = "#1e7b4f"
RAG_COLOURS = {"red": "#d64545", "amber": "#e8a33d", "green": "#3f9b6c", "grey": "#c5ccd3"}
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
        # Below the plot, anchored by its top: the axis labels push it down, never under it.
        "legend": {"orientation": "h", "y": -0.15, "yanchor": "top"},
        "xaxis": {"gridcolor": LINE, "linecolor": LINE, "automargin": True},
        "yaxis": {"gridcolor": LINE, "linecolor": LINE, "zeroline": False, "automargin": True},
    }
    layout.update(extra)
    return layout


# What plotly.py writes for the template "none": the figures carried it when plotly's Figure
# objects built them, and plotly.js reads it the same, so it is kept byte for byte.
NO_TEMPLATE: dict[str, Any] = {"data": {"scatter": [{"type": "scatter"}]}}


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Promise):  # a lazily translated label
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot be part of a figure")


def figure(traces: list[dict[str, Any]], layout: dict[str, Any]) -> dict[str, Any]:
    """A figure's JSON as plotly.py's `Figure(...).to_json()` wrote it, built as plain dicts:
    plotly.py's validation of every property was most of a cold overview's Python time.
    Decimals become floats, NaN null and an empty annotation list is left out, as plotly.py
    did; tests check every builder against plotly.py's own validation."""
    layout = {**layout, "template": NO_TEMPLATE}
    if not layout.get("annotations", True):
        del layout["annotations"]
    built = json.dumps({"data": traces, "layout": layout}, default=_plain)
    return json.loads(built, parse_constant=lambda _: None)


def scatter(**properties: Any) -> dict[str, Any]:
    return {**properties, "type": "scatter"}


def bar(**properties: Any) -> dict[str, Any]:
    return {**properties, "type": "bar"}


NPS_LIMITS = (-100.0, 100.0)
# The smallest span the NPS axis shows: a flat line is not blown up into noise.
MIN_NPS_SPAN = 20.0
# A target's label is about this share of the plot's height; closer labels are moved apart.
LABEL_GAP_SHARE = 0.08


def fitted_range(
    values: list[float], *, min_span: float = MIN_NPS_SPAN, margin_share: float = 0.08
) -> list[float]:
    """An axis range holding every value with a margin, never wider than NPS can be."""
    low, high = min(values), max(values)
    if high - low < min_span:
        middle = (low + high) / 2
        low, high = middle - min_span / 2, middle + min_span / 2
    margin = (high - low) * margin_share
    return [max(NPS_LIMITS[0], low - margin), min(NPS_LIMITS[1], high + margin)]


def spread_labels(values: list[float], min_gap: float) -> list[float]:
    """Label heights near `values` (same order), at least `min_gap` apart: each label is pushed
    up from the one below it when they would overlap."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    placed: dict[int, float] = {}
    previous: float | None = None
    for i in order:
        y = values[i] if previous is None else max(values[i], previous + min_gap)
        placed[i] = previous = y
    return [placed[i] for i in range(len(values))]


def nps_trend_figure(trend: Trend) -> dict[str, Any]:
    points = [p for p in trend.points if p.value is not None]
    x = [p.period_start.isoformat() for p in points]
    banded = [p for p in points if p.low is not None and p.high is not None]
    shown = [p.value for p in points if p.value is not None]
    shown += [v for p in banded for v in (p.low, p.high) if v is not None]
    shown += [v for t in trend.targets for v in (t.start_value, t.end_value)]
    y_range = fitted_range(shown or [0.0])
    span = y_range[1] - y_range[0]
    layout = base_layout(
        yaxis={"title": {"text": "NPS"}, "gridcolor": LINE, "range": y_range, "automargin": True},
        margin={"l": 48, "r": 16, "t": 24, "b": 40},
    )
    traces: list[dict[str, Any]] = []
    if banded:
        traces.append(
            scatter(
                x=[p.period_start.isoformat() for p in banded]
                + [p.period_start.isoformat() for p in reversed(banded)],
                y=[p.high for p in banded] + [p.low for p in reversed(banded)],
                mode="lines",
                fill="toself",
                fillcolor=BAND,
                line={"width": 0},
                hoverinfo="skip",
                name="95% interval",
            )
        )
    traces.append(
        scatter(
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
    label_heights = spread_labels([t.end_value for t in trend.targets], span * LABEL_GAP_SHARE)
    annotations = []
    for target, label_y in zip(trend.targets, label_heights, strict=True):
        traces.append(
            scatter(
                x=[target.start.isoformat(), target.end.isoformat()],
                y=[target.start_value, target.end_value],
                mode="lines",
                name=plotly_text(target.label),
                line={"color": TARGET, "dash": "dash"},
                showlegend=False,
                hovertemplate=f"{plotly_text(target.label)}: %{{y}}<extra></extra>",
            )
        )
        # The label sits on the line's right end, inside the plot, moved up if it would
        # overlap another target's.
        annotations.append(
            {
                "x": target.end.isoformat(),
                "y": label_y,
                "xanchor": "right",
                "yanchor": "bottom",
                "showarrow": False,
                "text": plotly_text(target.label),
                "font": {"size": 11, "color": TARGET},
                "bgcolor": "rgba(255,255,255,0.8)",
            }
        )
    layout["annotations"] = annotations
    for kind, symbol, colour, label, at in (
        ("breach", "x", RAG_COLOURS["red"], "Breach raised", y_range[0] + span * 0.04),
        ("accomplishment", "star", TARGET, "Key accomplishment", y_range[1] - span * 0.04),
    ):
        markers = [m for m in trend.markers if m.kind == kind]
        if markers:
            traces.append(
                scatter(
                    x=[m.day.isoformat() for m in markers],
                    y=[round(at, 1)] * len(markers),
                    mode="markers",
                    name=label,
                    marker={"symbol": symbol, "size": 11, "color": colour},
                    text=[plotly_text(m.text) for m in markers],
                    customdata=[m.url for m in markers],
                    hovertemplate="%{x}<br>%{text}<extra></extra>",
                )
            )
    return figure(traces, layout)


def journey_figure(journey_map: JourneyMap) -> dict[str, Any]:
    """Each journey's stages left to right, with the peak and the pit called out."""
    values = [
        s.estimate.value
        for row in journey_map.journeys
        for s in row.stages
        if s.estimate.value is not None
    ]
    # Room above the peak and below the pit for their call-outs.
    y_range = fitted_range(values or [0.0], margin_share=0.3)
    layout = base_layout(
        yaxis={
            "title": {"text": "Stage NPS"},
            "gridcolor": LINE,
            "range": y_range,
            "automargin": True,
        }
    )
    traces: list[dict[str, Any]] = []
    annotations = []
    for row in journey_map.journeys:
        stages = [s for s in row.stages if s.estimate.value is not None]
        traces.append(
            scatter(
                x=[plotly_text(s.name) for s in stages],
                y=[round(s.estimate.value or 0, 1) for s in stages],
                mode="lines+markers",
                # Plotly's hover shows the trace's name beside the template's text.
                name=plotly_text(row.journey.name),
                customdata=[s.estimate.n for s in stages],
                hovertemplate="%{x}<br>NPS %{y}<br>n = %{customdata}",
            )
        )
        # A journey of one scored stage has no peak and pit: two call-outs would sit on each other.
        called_out = [(row.peak, "peak"), (row.pit, "pit")] if row.peak is not row.pit else []
        for column, word in called_out:
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
    layout["annotations"] = annotations
    return figure(traces, layout)


def roadmap_status_figure(health: RoadmapHealth) -> dict[str, Any]:
    """Initiatives by status, stacked per pillar."""
    layout = base_layout(
        barmode="stack", yaxis={"title": {"text": "Initiatives"}, "gridcolor": LINE}
    )
    traces: list[dict[str, Any]] = []
    names = [plotly_text(pillar.name) for pillar in health.pillars]
    for status, label in initiative_statuses():
        counts = [pillar.by_status.get(status, 0) for pillar in health.pillars]
        if any(counts):
            traces.append(
                bar(
                    x=names,
                    y=counts,
                    name=label,
                    marker={"color": STATUS_COLOURS[status]},
                )
            )
    return figure(traces, layout)


def say_do_figure(say_do: SayDo) -> dict[str, Any]:
    """Retention (bars, left axis) and mean revenue (diamonds, right axis) by NPS category."""
    rows = [row for row in say_do.rows if row.customers]
    labels = [row.label for row in rows]
    colours = {"promoter": RAG_COLOURS["green"], "passive": RAG_COLOURS["amber"],
               "detractor": RAG_COLOURS["red"]}  # fmt: skip
    layout = base_layout(
        yaxis={"title": {"text": "Retained %"}, "range": [0, 100], "gridcolor": LINE},
        yaxis2={"title": {"text": "Mean revenue"}, "overlaying": "y", "side": "right",
                "showgrid": False, "rangemode": "tozero"},
        margin={"l": 56, "r": 64, "t": 24, "b": 40},
    )  # fmt: skip
    traces = [bar(
        x=labels, y=[round(row.retention or 0, 1) for row in rows], name="Retained %",
        marker={"color": [colours[row.category] for row in rows]},
        customdata=[row.customers for row in rows],
        hovertemplate="%{x}<br>%{y}% retained<br>%{customdata} customers<extra></extra>",
    )]  # fmt: skip
    traces.append(scatter(
        x=labels, y=[round(row.mean_revenue, 2) if row.mean_revenue is not None else None
                     for row in rows],
        name="Mean revenue", yaxis="y2", mode="markers",
        marker={"symbol": "diamond", "size": 13, "color": INK},
    ))  # fmt: skip
    return figure(traces, layout)


def breakdown_figure(breakdowns: Breakdowns, dimension: str) -> dict[str, Any]:
    """NPS per segment (or channel) with its 95 % interval as error bars; a group under the
    minimum of responses is drawn hollow and grey, as on the trend."""
    rows = [row for row in breakdowns.nps(dimension) if row.estimate.value is not None]
    values = [round(row.estimate.value or 0, 1) for row in rows]
    layout = base_layout(
        xaxis={"title": {"text": "NPS"}, "gridcolor": LINE, "automargin": True,
               "range": fitted_range([v for row in rows for v in (row.estimate.low,
                                      row.estimate.high) if v is not None] or [0.0])},
        yaxis={"gridcolor": LINE, "automargin": True, "autorange": "reversed"},
        showlegend=False,
        height=80 + 36 * max(len(rows), 1),
    )  # fmt: skip
    trace = scatter(
        x=values,
        y=[plotly_text(row.label) for row in rows],
        mode="markers",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [round((r.estimate.high or 0) - (r.estimate.value or 0), 1) for r in rows],
            "arrayminus": [round((r.estimate.value or 0) - (r.estimate.low or 0), 1) for r in rows],
            "color": MUTED,
        },
        marker={
            "size": 10,
            "symbol": ["circle" if r.estimate.enough else "circle-open" for r in rows],
            "color": [ACCENT if r.estimate.enough else MUTED for r in rows],
        },
        customdata=[r.estimate.n for r in rows],
        hovertemplate="%{y}<br>NPS %{x}<br>n = %{customdata}<extra></extra>",
    )
    return figure([trace], layout)
