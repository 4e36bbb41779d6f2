"""Plotly figures as plain dicts, built from selector data so tests can read the numbers."""

from typing import Any

from metrics.selectors import ScorePoint

METRIC_LABELS = {"nps": "NPS", "csat": "CSAT top-two box %", "ces": "CES mean (1–7)"}


def trend_figure(
    *,
    points: list[ScorePoint],
    metric: str,
    floor: float | None = None,
    target: float | None = None,
) -> dict[str, Any]:
    """The score per period with its 95 % interval as a band; periods under n = 30 are hollow."""
    x = [p.period_start.isoformat() for p in points]
    band_x = x + x[::-1]
    band_y = [p.high for p in points] + [p.low for p in points][::-1]
    data: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "x": band_x,
            "y": band_y,
            "fill": "toself",
            "line": {"width": 0},
            "fillcolor": "rgba(37, 99, 235, 0.15)",
            "hoverinfo": "skip",
            "name": "95 % interval",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "x": x,
            "y": [p.value for p in points],
            "customdata": [p.n for p in points],
            "hovertemplate": "%{x}: %{y:.1f} (n=%{customdata})<extra></extra>",
            "marker": {"symbol": ["circle" if p.enough else "circle-open" for p in points]},
            "line": {"color": "#2563eb"},
            "name": METRIC_LABELS.get(metric, metric),
        },
    ]
    shapes: list[dict[str, Any]] = []
    for value, colour, name in ((floor, "#dc2626", "floor"), (target, "#16a34a", "target")):
        if value is not None and x:
            data.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "x": [x[0], x[-1]],
                    "y": [value, value],
                    "line": {"color": colour, "dash": "dash", "width": 1},
                    "name": f"{name} {value:g}",
                }
            )
    return {
        "data": data,
        "layout": {
            "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
            "height": 320,
            "yaxis": {"title": {"text": METRIC_LABELS.get(metric, metric)}},
            "legend": {"orientation": "h"},
            "shapes": shapes,
        },
    }


def distribution_figure(*, counts: dict[str, int], metric: str) -> dict[str, Any]:
    labels = {"nps": ("Detractors 0–6", "Passives 7–8", "Promoters 9–10")}.get(
        metric, ("Low", "Middle", "High")
    )
    values = [counts["detractors"], counts["passives"], counts["promoters"]]
    return {
        "data": [
            {
                "type": "bar",
                "x": list(labels),
                "y": values,
                "marker": {"color": ["#dc2626", "#9ca3af", "#16a34a"]},
            }
        ],
        "layout": {"margin": {"l": 40, "r": 10, "t": 10, "b": 40}, "height": 260},
    }


def drivers_figure(ranked: list[dict[str, Any]], *, outcome_label: str) -> dict[str, Any]:
    """Touch points by importance (standardized coefficient), strongest at the top, with the
    95 % interval as error bars."""
    rows = list(reversed(ranked))  # plotly draws the first category at the bottom
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "y": [row["name"] for row in rows],
                "x": [row["importance"] for row in rows],
                "error_x": {
                    "type": "data",
                    "symmetric": False,
                    "array": [row["importance_high"] - row["importance"] for row in rows],
                    "arrayminus": [row["importance"] - row["importance_low"] for row in rows],
                    "color": "#1f2937",
                },
                "customdata": [[row["effect"], row["poor"]] for row in rows],
                "hovertemplate": (
                    "%{y}: importance %{x:.3f}<br>a poor answer there: %{customdata[0]:+.1f} "
                    "points<br>%{customdata[1]} customers with a poor answer<extra></extra>"
                ),
                "marker": {"color": "#2563eb"},
                "name": outcome_label,
            }
        ],
        "layout": {
            "margin": {"l": 140, "r": 10, "t": 10, "b": 40},
            "height": 60 + 28 * max(len(rows), 1),
            "xaxis": {"title": "Importance (standardized, 95 % interval)", "zeroline": True},
            "showlegend": False,
        },
    }
