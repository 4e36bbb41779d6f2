"""Scores for one customer segment, from the segment roll-up (months only), with the same
intervals and small-sample rule as every other score."""

from datetime import date

from metrics import stats
from metrics.models import SegmentRollup
from metrics.selectors import ScorePoint


def segment_score_series(
    *,
    metric: str,
    scope: str,
    scope_id: int,
    segment: str,
    start: date | None = None,
    end: date | None = None,
) -> list[ScorePoint]:
    """One scope's monthly score within `segment`, ascending, start..end inclusive."""
    rows = SegmentRollup.objects.filter(
        metric=metric, scope=scope, scope_id=scope_id, segment=segment
    )
    if start is not None:
        rows = rows.filter(period_start__gte=start)
    if end is not None:
        rows = rows.filter(period_start__lte=end)
    points = []
    for row in rows.order_by("period_start"):
        estimate = stats.score(
            row.metric,
            n=row.n,
            promoters=row.promoters,
            passives=row.passives,
            detractors=row.detractors,
            total=row.total,
            total_sq=row.total_sq,
        )
        points.append(
            ScorePoint(row.period_start, row.n, estimate.value, estimate.low, estimate.high,
                       estimate.enough)
        )  # fmt: skip
    return points


def known_segments() -> list[str]:
    """Every segment some response carries, from the organisation's rows of the roll-up."""
    return list(
        SegmentRollup.objects.filter(scope="organisation")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct()
    )
