"""Scores for one customer segment, one channel, or both, and breakdowns by segment and by
channel — from the roll-up tables only, with the same intervals and small-sample rule
(`stats.MIN_RESPONSES`) as every other score.

A segment is a property of the answer, so it has its own roll-up (`SegmentRollup`, every scope
and grain). A channel is a property of the touch point, so a channel's score at any scope is the
sum of the additive counts of that channel's touch-point rows, of the same grain and period, in
`Rollup` (or in `SegmentRollup` when a segment is chosen too): no table of its own. See
docs/money.md, "How segments and channels are rolled up".
"""

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet, Sum

from metrics import stats
from metrics.models import Channel, Grain, Metric, Rollup, Scope, SegmentRollup, Touchpoint
from metrics.selectors import ScorePoint, score_series
from metrics.selectors.ranges import (
    Headline,
    HeadlineScope,
    RangeScores,
    headline_from_rows,
    range_scores,
    range_scores_from_rows,
)
from metrics.stats import Estimate

CHANNEL_LABELS: dict[str, str] = dict(Channel.choices)
_FIELDS = ("n", "promoters", "passives", "detractors", "total", "total_sq")


@dataclass(frozen=True)
class Slice:
    """Which answers a score counts: one segment ("" for all) and one channel ("" for all)."""

    segment: str = ""
    channel: str = ""

    @property
    def everyone(self) -> bool:
        return not self.segment and not self.channel

    @property
    def label(self) -> str:
        parts = [self.segment, CHANNEL_LABELS.get(self.channel, "")]
        return " · ".join(part for part in parts if part)


EVERYONE = Slice()


# --- What may be asked for -----------------------------------------------------------------


def known_segments() -> list[str]:
    """Every segment some response carries, from the organisation's yearly segment rows."""
    return list(
        SegmentRollup.objects.filter(scope=Scope.ORGANISATION, grain=Grain.YEAR)
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct()
    )


def unknown_segment(segment: str, segments: list[str]) -> str:
    shown = ", ".join(segments) or "none yet"
    return f"unknown segment {segment[:60]!r}; the segments are: {shown}"


def unknown_channel(channel: str) -> str:
    return f"unknown channel {channel[:60]!r}; the channels are: {', '.join(Channel.values)}"


def slice_query(
    params: Mapping[str, Any], segments: list[str] | None = None
) -> tuple[Slice, dict[str, str]]:
    """The slice asked for (?segment=&channel=) and the parameters in error, each saying why
    and naming the allowed values. `segments` saves the look-up when the caller has them."""
    segment = str(params.get("segment") or "")
    channel = str(params.get("channel") or "")
    errors = {}
    if segment and segment not in (known_segments() if segments is None else segments):
        errors["segment"] = unknown_segment(segment, known_segments())
    if channel and channel not in Channel.values:
        errors["channel"] = unknown_channel(channel)
    return Slice(segment, channel), errors


# --- Which rows hold a slice's figures ----------------------------------------------------


def touchpoints_in(scope: str, scope_id: int, channel: str = "") -> QuerySet[Touchpoint]:
    """The touch points inside one scope, of one channel ("" for every channel)."""
    rows = Touchpoint.objects.all()
    if scope == Scope.TOUCHPOINT:
        rows = rows.filter(pk=scope_id)
    elif scope == Scope.STAGE:
        rows = rows.filter(stage_id=scope_id)
    elif scope == Scope.JOURNEY:
        rows = rows.filter(stage__journey_id=scope_id)
    elif scope == Scope.DEPARTMENT:
        rows = rows.filter(department_id=scope_id)
    if channel:
        rows = rows.filter(channel=channel)
    return rows


def _table(segment: str) -> QuerySet[Any]:
    if segment:
        return SegmentRollup.objects.filter(segment=segment)
    return Rollup.objects.all()


def _within(rows: QuerySet[Any], *, scope: str, scope_id: int, channel: str) -> QuerySet[Any]:
    if channel:
        inside = touchpoints_in(scope, scope_id, channel).values("pk")
        return rows.filter(scope=Scope.TOUCHPOINT, scope_id__in=inside)
    return rows.filter(scope=scope, scope_id=scope_id)


def slice_rows(where: Slice, *, scope: str, scope_id: int) -> QuerySet[Any]:
    """The roll-up rows (any grain) whose sum is `scope`'s figure within the slice: the scope's
    own rows, or for a channel that channel's touch-point rows inside the scope."""
    return _within(_table(where.segment), scope=scope, scope_id=scope_id, channel=where.channel)


def _sums() -> dict[str, Sum]:
    return {f"{name}_sum": Sum(name) for name in _FIELDS}


def _estimate(metric: str, row: Mapping[str, Any]) -> Estimate:
    return stats.score(metric, **{name: row[f"{name}_sum"] or 0 for name in _FIELDS})


# --- Scores within a slice ----------------------------------------------------------------


def sliced_score_series(
    *,
    metric: str,
    scope: str,
    scope_id: int,
    grain: str,
    where: Slice = EVERYONE,
    start: date | None = None,
    end: date | None = None,
) -> list[ScorePoint]:
    """One scope's score for each period (ascending) with data, within the slice (one query)."""
    if where.everyone:
        return score_series(
            metric=metric, scope=scope, scope_id=scope_id, grain=grain, start=start, end=end
        )
    rows = slice_rows(where, scope=scope, scope_id=scope_id).filter(metric=metric, grain=grain)
    if start is not None:
        rows = rows.filter(period_start__gte=start)
    if end is not None:
        rows = rows.filter(period_start__lte=end)
    points = []
    for row in rows.values("period_start").annotate(**_sums()).order_by("period_start"):
        estimate = _estimate(metric, row)
        points.append(
            ScorePoint(row["period_start"], estimate.n, estimate.value, estimate.low,
                       estimate.high, estimate.enough)
        )  # fmt: skip
    return points


def segment_score_series(
    *,
    metric: str,
    scope: str,
    scope_id: int,
    segment: str,
    grain: str = Grain.MONTH,
    start: date | None = None,
    end: date | None = None,
) -> list[ScorePoint]:
    """One scope's score within `segment`, by `grain`, ascending, start..end inclusive."""
    return sliced_score_series(
        metric=metric, scope=scope, scope_id=scope_id, grain=grain, where=Slice(segment),
        start=start, end=end,
    )  # fmt: skip


def sliced_headline(
    scope: HeadlineScope, *, start: date, end: date, previous_start: date, where: Slice = EVERYONE
) -> Headline:
    """`headline_scores` within the slice: the scope's NPS now and before, responses per metric."""
    rows = slice_rows(where, scope=scope.scope, scope_id=scope.scope_id)
    return headline_from_rows(rows, start=start, end=end, previous_start=previous_start)


TouchpointPlaces = dict[int, tuple[int, int, int, str]]


def touchpoint_places() -> TouchpointPlaces:
    """Each touch point's stage, journey, department and channel (one query)."""
    return {
        pk: (stage_id, journey_id, department_id, channel)
        for pk, stage_id, journey_id, department_id, channel in Touchpoint.objects.values_list(
            "pk", "stage_id", "stage__journey_id", "department_id", "channel"
        )
    }


def places_of(touchpoints: list[Touchpoint]) -> TouchpointPlaces:
    """`touchpoint_places` from touch points already loaded with their stage."""
    return {t.pk: (t.stage_id, t.stage.journey_id, t.department_id, t.channel) for t in touchpoints}


def sliced_range_scores(
    *, start: date, end: date, where: Slice = EVERYONE, places: TouchpointPlaces | None = None
) -> RangeScores:
    """NPS for every touch point, stage, journey and department over start..end, within the
    slice. A channel's stage, journey and department figures are summed from its touch points'
    counts (`places`, read when not given)."""
    if where.everyone:
        return range_scores(start=start, end=end)
    rows = _table(where.segment).filter(grain=Grain.DAY, period_start__range=(start, end))
    if not where.channel:
        scopes = (Scope.TOUCHPOINT, Scope.STAGE, Scope.JOURNEY, Scope.DEPARTMENT)
        return range_scores_from_rows(rows.filter(scope__in=scopes), metric=Metric.NPS)
    places = touchpoint_places() if places is None else places
    wanted = [pk for pk, place in places.items() if place[3] == where.channel]
    found = (
        rows.filter(metric=Metric.NPS, scope=Scope.TOUCHPOINT, scope_id__in=wanted)
        .values("scope_id")
        .annotate(**_sums())
    )
    sums: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0] * len(_FIELDS))
    for row in found:
        stage_id, journey_id, department_id, _ = places[row["scope_id"]]
        for key in (
            (Scope.TOUCHPOINT, row["scope_id"]),
            (Scope.STAGE, stage_id),
            (Scope.JOURNEY, journey_id),
            (Scope.DEPARTMENT, department_id),
        ):
            for index, name in enumerate(_FIELDS):
                sums[key][index] += row[f"{name}_sum"] or 0
    return RangeScores(
        {key: stats.score(Metric.NPS, **dict(zip(_FIELDS, values, strict=True)))
         for key, values in sums.items()}
    )  # fmt: skip


# --- Breakdowns ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownRow:
    """One group's score: `group` is the segment or the channel's value, `label` its name."""

    dimension: str  # "segment" | "channel"
    group: str
    label: str
    metric: str
    estimate: Estimate


DIMENSIONS = ("segment", "channel")


def breakdown(
    dimension: str,
    *,
    scope: str,
    scope_id: int,
    start: date,
    end: date,
    where: Slice = EVERYONE,
    places: TouchpointPlaces | None = None,
    metrics: tuple[str, ...] = tuple(Metric.values),
) -> list[BreakdownRow]:
    """Each segment's (or channel's) score of `scope` over start..end, per metric, in one query.

    By segment: every segment, within the slice's channel (the slice's own segment is one of
    the rows). By channel: every channel with answers, within the slice's segment. Groups are
    in the order of their names (segments) or of the channel list; the metrics in their order.
    """
    if dimension == "segment":
        rows = _within(
            SegmentRollup.objects.all(), scope=scope, scope_id=scope_id, channel=where.channel
        )
        found = (
            rows.filter(grain=Grain.DAY, period_start__range=(start, end), metric__in=metrics)
            .values("segment", "metric")
            .annotate(**_sums())
        )
        groups = {(row["segment"], row["metric"]): row for row in found}
        labels = {segment: segment for segment, _ in groups}
        order = sorted(labels)
    elif dimension == "channel":
        places = touchpoint_places() if places is None else places
        rows = _table(where.segment).filter(scope=Scope.TOUCHPOINT, grain=Grain.DAY)
        if scope != Scope.ORGANISATION:  # the organisation holds every touch point
            rows = rows.filter(scope_id__in=touchpoints_in(scope, scope_id).values("pk"))
        found = (
            rows.filter(period_start__range=(start, end), metric__in=metrics)
            .values("scope_id", "metric")
            .annotate(**_sums())
        )
        totals: dict[tuple[str, str], dict[str, int]] = {}
        for row in found:
            key = (places[row["scope_id"]][3], row["metric"])
            total = totals.setdefault(key, {f"{name}_sum": 0 for name in _FIELDS})
            for name in _FIELDS:
                total[f"{name}_sum"] += row[f"{name}_sum"] or 0
        groups = totals
        labels = CHANNEL_LABELS
        order = [channel for channel in Channel.values if any(c == channel for c, _ in groups)]
    else:
        raise ValueError(f"unknown dimension {dimension!r}")
    return [
        BreakdownRow(
            dimension, group, labels[group], metric, _estimate(metric, groups[group, metric])
        )
        for group in order
        for metric in metrics
        if (group, metric) in groups
    ]
