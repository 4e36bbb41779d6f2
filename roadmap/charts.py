"""Plotly figures for the roadmap, built from selector rows so tests can read their numbers.

Figures are returned as plain JSON-ready dicts for `json_script`; static/cco/base.js draws them
and opens `customdata` paths on click.
"""

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from cco.charts import plotly_text
from roadmap.models import Roadmap, Status
from roadmap.selectors import InitiativeRow, ResultReading

STATUS_COLOURS = {
    Status.PROPOSED: "#9aa5b1",
    Status.PLANNED: "#7aa7e0",
    Status.IN_PROGRESS: "#1d4f91",
    Status.AT_RISK: "#d9822b",
    Status.DONE: "#1e7b4f",
    Status.DROPPED: "#cbd2d9",
}
AT_RISK_OUTLINE = "#b3261e"
DAY_MS = 24 * 60 * 60 * 1000


def _as_dict(figure: go.Figure) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(figure.to_json())
    return result


def quarter_ticks(start: date, end: date) -> tuple[list[str], list[str]]:
    """Tick positions at each quarter's start, labelled "Q1 2026", "Q2", "Q3", "Q4"."""
    values, labels = [], []
    year, month = start.year, ((start.month - 1) // 3) * 3 + 1
    while date(year, month, 1) <= end:
        quarter = (month - 1) // 3 + 1
        values.append(date(year, month, 1).isoformat())
        labels.append(f"<b>{year}</b> Q1" if quarter == 1 else f"Q{quarter}")
        month += 3
        if month > 12:
            year, month = year + 1, 1
    return values, labels


def timeline_figure(
    *, roadmap: Roadmap, rows: Sequence[InitiativeRow], today: date
) -> dict[str, Any]:
    """A Gantt of the roadmap: one bar per initiative (colour = status, red outline = at
    risk by its derived health), milestones as markers (stars for key accomplishments), a
    today line, year lines and arrows from each dependency's end to its dependent's start."""
    figure = go.Figure()
    position = {row.initiative.pk: index for index, row in enumerate(rows)}
    labels = [plotly_text(row.initiative.title) for row in rows]

    for status, colour in STATUS_COLOURS.items():
        of_status = [row for row in rows if row.initiative.status == status]
        if not of_status:
            continue
        figure.add_trace(
            go.Bar(
                name=Status(status).label,
                orientation="h",
                y=[position[row.initiative.pk] for row in of_status],
                base=[row.initiative.start_date.isoformat() for row in of_status],
                x=[
                    ((row.initiative.end_date - row.initiative.start_date).days + 1) * DAY_MS
                    for row in of_status
                ],
                marker={
                    "color": colour,
                    "line": {
                        "color": [
                            AT_RISK_OUTLINE if row.health.level == "at_risk" else colour
                            for row in of_status
                        ],
                        "width": [3 if row.health.level == "at_risk" else 0 for row in of_status],
                    },
                },
                customdata=[[row.initiative.get_absolute_url()] for row in of_status],
                hovertext=[
                    f"<b>{plotly_text(row.initiative.title)}</b><br>{plotly_text(row.initiative.department.name)}<br>"
                    f"{row.initiative.start_date:%b %Y} – {row.initiative.end_date:%b %Y}<br>"
                    f"Status: {row.initiative.get_status_display()} · "
                    f"health: {row.health.label} · {row.progress}% done<br>"
                    f"<i>{plotly_text(row.health_basis)}</i>"
                    for row in of_status
                ],
                hoverinfo="text",
                width=0.6,
            )
        )

    milestone_groups = {
        "Key accomplishment": lambda m: m.is_key,
        "Milestone": lambda m: not m.is_key,
    }
    for name, belongs in milestone_groups.items():
        points = [(row, m) for row in rows for m in row.milestones if belongs(m)]
        if not points:
            continue
        figure.add_trace(
            go.Scatter(
                name=name,
                mode="markers",
                x=[m.due_date.isoformat() for _, m in points],
                y=[position[row.initiative.pk] for row, _ in points],
                marker={
                    "symbol": "star" if name == "Key accomplishment" else "diamond",
                    "size": 15 if name == "Key accomplishment" else 9,
                    "color": [
                        "#1e7b4f"
                        if m.done_date
                        else ("#b3261e" if m.due_date < today else "#f5f7fa")
                        for _, m in points
                    ],
                    "line": {"color": "#1f2933", "width": 1},
                },
                customdata=[[row.initiative.get_absolute_url()] for row, _ in points],
                hovertext=[
                    f"{plotly_text(m.title)}<br>due {m.due_date:%d %b %Y}"
                    + (
                        f" · done {m.done_date:%d %b %Y}"
                        if m.done_date
                        else (" · late" if m.due_date < today else "")
                    )
                    for _, m in points
                ],
                hoverinfo="text",
            )
        )

    if any(row.health.level == "at_risk" for row in rows):
        # A legend entry for the red outline, which no bar trace can show on its own.
        figure.add_trace(
            go.Scatter(
                name="At risk (derived health)",
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "square-open", "size": 12, "color": AT_RISK_OUTLINE},
                hoverinfo="skip",
            )
        )

    shapes: list[dict[str, Any]] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": date(year, 1, 1).isoformat(),
            "x1": date(year, 1, 1).isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": "#d9dee4", "width": 1},
        }
        for year in range(roadmap.start_year, roadmap.end_year + 2)
    ]
    annotations: list[dict[str, Any]] = []
    if roadmap.start_date <= today <= roadmap.end_date:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": today.isoformat(),
                "x1": today.isoformat(),
                "y0": 0,
                "y1": 1,
                "line": {"color": "#b3261e", "width": 2, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "x": today.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "text": "Today",
                "showarrow": False,
                # Inside the plot, right of its line: above it the year ticks would overlap it.
                "yanchor": "top",
                "xanchor": "left",
                "xshift": 3,
                "bgcolor": "rgba(255, 255, 255, 0.85)",
                "font": {"color": "#b3261e"},
            }
        )
    for row in rows:
        for dependency in row.depends_on:
            if dependency.pk not in position:
                continue
            annotations.append(
                {
                    "x": row.initiative.start_date.isoformat(),
                    "y": position[row.initiative.pk],
                    "ax": dependency.end_date.isoformat(),
                    "ay": position[dependency.pk],
                    "xref": "x",
                    "yref": "y",
                    "axref": "x",
                    "ayref": "y",
                    "showarrow": True,
                    "arrowhead": 2,
                    "arrowwidth": 1.2,
                    "arrowcolor": "#616e7c",
                    "text": "",
                    "hovertext": plotly_text(
                        f"{row.initiative.title} depends on {dependency.title}"
                    ),
                }
            )

    shapes.extend(_pillar_bands(rows, annotations))
    tick_values, tick_labels = quarter_ticks(roadmap.start_date, roadmap.end_date)
    figure.update_layout(
        barmode="overlay",
        height=max(260, 34 * len(rows) + 140),
        margin={"l": 10, "r": 10, "t": 40, "b": 40},
        legend={"orientation": "h", "y": -0.08 if rows else 0},
        plot_bgcolor="#ffffff",
        shapes=shapes,
        annotations=annotations,
        xaxis={
            "type": "date",
            "range": [
                (roadmap.start_date - timedelta(days=15)).isoformat(),
                (roadmap.end_date + timedelta(days=15)).isoformat(),
            ],
            "tickvals": tick_values,
            "ticktext": tick_labels,
            "side": "top",
            "showgrid": True,
            "gridcolor": "#eef0f3",
        },
        yaxis={
            "tickvals": list(range(len(rows))),
            "ticktext": labels,
            "autorange": "reversed",
            "automargin": True,
        },
    )
    return _as_dict(figure)


def _pillar_bands(
    rows: Sequence[InitiativeRow], annotations: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """A tinted band behind each pillar's rows, labelled with the pillar's name."""
    bands: list[dict[str, Any]] = []
    index = 0
    while index < len(rows):
        pillar = rows[index].initiative.pillar
        last = index
        while last + 1 < len(rows) and rows[last + 1].initiative.pillar_id == pillar.pk:
            last += 1
        bands.append(
            {
                "type": "rect",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": index - 0.5,
                "y1": last + 0.5,
                "fillcolor": pillar.colour,
                "opacity": 0.08,
                "line": {"width": 0},
                "layer": "below",
            }
        )
        annotations.append(
            {
                "x": 0,
                "y": index - 0.5,
                "xref": "paper",
                "yref": "y",
                "text": f"<b>{plotly_text(pillar.name)}</b>",
                "showarrow": False,
                "xanchor": "left",
                # Centred on the gap between the pillar's first row and the one above, on a
                # light background, so bars starting at the left edge do not run through it.
                "yanchor": "middle",
                "bgcolor": "rgba(255, 255, 255, 0.85)",
                "font": {"color": pillar.colour, "size": 11},
            }
        )
        index = last + 1
    return bands


def expected_result_figure(reading: ResultReading, *, today: date) -> dict[str, Any]:
    """Actual monthly scores with their intervals against the straight baseline → target line,
    with the baseline's months and the months judged shaded and named.

    Months with too few responses are drawn hollow and grey so no one reads noise as a trend.
    Without a baseline (too few responses before the start, none typed) only the target shows.
    """
    result = reading.result
    verdict = reading.verdict
    baseline = reading.baseline.value
    figure = go.Figure()
    enough = [p for p in reading.points if p.enough and p.value is not None]
    thin = [p for p in reading.points if not p.enough and p.value is not None]
    if baseline is not None:
        figure.add_trace(
            go.Scatter(
                name="Planned path",
                mode="lines+markers",
                x=[reading.start.isoformat(), result.by_date.isoformat()],
                y=[baseline, result.target],
                line={"color": "#616e7c", "dash": "dash"},
                marker={"symbol": ["circle", "star"], "size": [7, 14]},
                hovertext=[
                    f"Baseline {baseline:.1f} ({reading.baseline.source})",
                    f"Target {result.target:g}",
                ],
                hoverinfo="text",
            )
        )
    else:
        figure.add_trace(
            go.Scatter(
                name="Target",
                mode="markers",
                x=[result.by_date.isoformat()],
                y=[result.target],
                marker={"symbol": "star", "size": 14, "color": "#616e7c"},
                hovertext=[f"Target {result.target:g}"],
                hoverinfo="text",
            )
        )
    if enough:
        figure.add_trace(
            go.Scatter(
                name="Actual (monthly)",
                mode="lines+markers",
                x=[p.period_start.isoformat() for p in enough],
                y=[p.value for p in enough],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [
                        (p.high - p.value) if p.high is not None and p.value is not None else 0
                        for p in enough
                    ],
                    "arrayminus": [
                        (p.value - p.low) if p.low is not None and p.value is not None else 0
                        for p in enough
                    ],
                    "color": "#7aa7e0",
                },
                line={"color": "#1d4f91"},
                hovertext=[
                    f"{p.period_start:%b %Y}: {p.value:.1f} (n={p.n})"
                    for p in enough
                    if p.value is not None
                ],
                hoverinfo="text",
            )
        )
    if thin:
        figure.add_trace(
            go.Scatter(
                name="Too few responses",
                mode="markers",
                x=[p.period_start.isoformat() for p in thin],
                y=[p.value for p in thin],
                marker={"color": "rgba(0,0,0,0)", "line": {"color": "#9aa5b1", "width": 1}},
                hovertext=[f"{p.period_start:%b %Y}: n={p.n}, too few to read" for p in thin],
                hoverinfo="text",
            )
        )
    shapes: list[dict[str, Any]] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": today.isoformat(),
            "x1": today.isoformat(),
            "y0": 0,
            "y1": 1,
            "line": {"color": "#b3261e", "width": 1, "dash": "dot"},
        }
    ]
    annotations: list[dict[str, Any]] = []
    windows = [("baseline", reading.baseline.measured, "#e4e7eb")]
    if verdict.window is not None:
        windows.append(("judged", verdict.window, "#dbe7f6"))
    for word, window, colour in windows:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": window.start.isoformat(),
                "x1": window.end.isoformat(),
                "y0": 0,
                "y1": 1,
                "fillcolor": colour,
                "opacity": 0.5,
                "layer": "below",
                "line": {"width": 0},
            }
        )
        annotations.append(
            {
                "x": window.start.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "text": f"{word}: {window.text}",
                "showarrow": False,
                "font": {"size": 10},
            }
        )
    if verdict.expected is not None and verdict.window is not None:
        middle = verdict.window.start + (verdict.window.end - verdict.window.start) / 2
        annotations.append(
            {
                "x": middle.isoformat(),
                "y": verdict.expected,
                "xref": "x",
                "yref": "y",
                "text": f"expected {verdict.expected:.1f}",
                "showarrow": True,
                "arrowhead": 0,
                "ax": 40,
                "ay": -25,
                "font": {"size": 11},
            }
        )
    figure.update_layout(
        height=300,
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        legend={"orientation": "h", "y": -0.2},
        plot_bgcolor="#ffffff",
        shapes=shapes,
        annotations=annotations,
        xaxis={"type": "date", "gridcolor": "#eef0f3"},
        yaxis={"title": {"text": result.get_metric_display()}, "gridcolor": "#eef0f3"},
    )
    return _as_dict(figure)
