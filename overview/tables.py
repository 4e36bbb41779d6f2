"""The data behind each chart as a table: shown in the page's "data" view and downloaded as CSV,
so both carry exactly what the chart shows."""

from dataclasses import dataclass

from accountability.scorecard import scorecard_table as accountability_scorecard_table
from metrics.selectors import SayDo
from overview.selectors import (
    Breakdowns,
    JourneyMap,
    RoadmapHealth,
    ScorecardRow,
    Tiles,
    Trend,
)
from roadmap.selectors import initiative_statuses


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[object]]


def fmt(value: float | None, digits: int = 1) -> object:
    return "" if value is None else round(value, digits)


def tiles_table(tiles: Tiles) -> Table:
    nps = tiles.nps
    rows: list[list[object]] = [
        [
            nps.label,
            fmt(nps.current.value),
            fmt(nps.current.low),
            fmt(nps.current.high),
            nps.current.n,
            fmt(nps.previous.value),
            "yes" if nps.significant else "no",
        ],
    ]
    for journey, estimate in tiles.journeys:
        rows.append(
            [
                f"{journey.name} NPS",
                fmt(estimate.value),
                fmt(estimate.low),
                fmt(estimate.high),
                estimate.n,
                "",
                "",
            ]
        )
    rows.append(["Responses counted", tiles.responses_total, "", "", "", "", ""])
    rows.append(
        [
            "Action items done on time %",
            fmt(tiles.action_items.on_time_pct),
            "",
            "",
            tiles.action_items.due_count,
            "",
            "",
        ]
    )
    rows.append(
        [
            "Milestones on time %",
            fmt(tiles.milestones.on_time_pct),
            "",
            "",
            tiles.milestones.due_count,
            "",
            "",
        ]
    )
    rows.append(["Open CX issues", tiles.open_issues, "", "", "", "", ""])
    return Table(
        ["measure", "value", "low", "high", "n", "previous period", "significant change"], rows
    )


def trend_table(trend: Trend) -> Table:
    rows: list[list[object]] = [
        [
            p.period_start.isoformat(),
            fmt(p.value),
            fmt(p.low),
            fmt(p.high),
            p.n,
            "yes" if p.enough else "too few responses",
        ]
        for p in trend.points
    ]
    rows += [[m.day.isoformat(), "", "", "", "", m.text] for m in trend.markers]
    return Table(["period", "nps", "low", "high", "n", "note"], rows)


def journeys_table(journey_map: JourneyMap) -> Table:
    rows: list[list[object]] = []
    for row in journey_map.journeys:
        for stage in row.stages:
            for cell in stage.touchpoints:
                rows.append(
                    [
                        row.journey.name,
                        stage.name,
                        cell.touchpoint.name,
                        cell.touchpoint.department.name,
                        fmt(cell.estimate.value),
                        cell.estimate.n,
                        fmt(cell.touchpoint.nps_target),
                        cell.rag,
                    ]
                )
    return Table(["journey", "stage", "touch point", "owner", "nps", "n", "target", "rag"], rows)


def scorecard_table(rows: list[ScorecardRow]) -> Table:
    return Table(*accountability_scorecard_table(rows))


def roadmap_table(health: RoadmapHealth) -> Table:
    statuses = initiative_statuses()
    rows: list[list[object]] = [
        [pillar.name, *[pillar.by_status.get(value, 0) for value, _ in statuses]]
        for pillar in health.pillars
    ]
    return Table(["pillar", *[label for _, label in statuses]], rows)


def say_do_table(say_do: SayDo) -> Table:
    return Table(
        ["category", "customers", "retained %", "mean revenue"],
        [[row.label, row.customers, fmt(row.retention), fmt(row.mean_revenue, 2)]
         for row in say_do.rows],
    )  # fmt: skip


def breakdown_table(breakdowns: Breakdowns) -> Table:
    """Every metric's score per segment and per channel; a group under the minimum of responses
    keeps its figures and says so, as the trend's periods do."""
    rows: list[list[object]] = [
        [
            row.dimension,
            row.label,
            row.metric,
            fmt(row.estimate.value),
            fmt(row.estimate.low),
            fmt(row.estimate.high),
            row.estimate.n,
            "" if row.estimate.enough else "too few responses",
        ]
        for dimension in breakdowns.rows
        for row in breakdowns.rows[dimension]
    ]
    return Table(["by", "group", "metric", "score", "low", "high", "n", "note"], rows)
