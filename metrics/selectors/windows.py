"""The headline score of a touch point: a rolling window that never goes blank.

A calendar month is empty for the first week of every month, so headlines read the last 30
days instead, ending today. When fewer than MIN_RESPONSES answered in 30 days, the window
widens to 90 and then 365 days, and says so. The trend compares the window with the one just
before it, of the same length. See docs/metrics.md, "Headline window".
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Q, Sum
from django.utils import timezone

from metrics import stats
from metrics.models import Grain, Rollup, SegmentRollup

# Window lengths in days, shortest first; the first with enough responses is shown.
HEADLINE_WINDOWS = (30, 90, 365)
_FIELDS = ("n", "promoters", "passives", "detractors", "total", "total_sq")


@dataclass(frozen=True)
class WindowPoint:
    """A score over `start`..`end` (both included), with its 95 % interval."""

    start: date
    end: date
    n: int
    value: float | None
    low: float | None
    high: float | None
    enough: bool

    @property
    def period_start(self) -> date:
        return self.start


@dataclass(frozen=True)
class WindowScore:
    current: WindowPoint
    previous: WindowPoint
    days: int
    widened: bool

    @property
    def label(self) -> str:
        return f"last {self.days} days"

    @property
    def note(self) -> str:
        """Why the window is longer than the default, for the page to say beside the score."""
        if not self.widened:
            return ""
        return (
            f"widened to {self.days} days: fewer than {stats.MIN_RESPONSES} responses "
            f"in the last {HEADLINE_WINDOWS[0]}"
        )

    @property
    def trend(self) -> str:
        """ "up" or "down" only when the two windows' intervals do not overlap."""
        return interval_trend(self.current, self.previous)


def interval_trend(latest: WindowPoint | None, previous: WindowPoint | None) -> str:
    if not (latest and previous and latest.enough and previous.enough):
        return ""
    if latest.low is not None and previous.high is not None and latest.low > previous.high:
        return "up"
    if latest.high is not None and previous.low is not None and latest.high < previous.low:
        return "down"
    return "flat"


def _window(days: int, today: date, *, back: int = 0) -> tuple[date, date]:
    end = today - timedelta(days=days * back)
    return end - timedelta(days=days - 1), end


def headline_window_scores(
    *,
    metric: str,
    scope: str,
    scope_ids: list[int],
    today: date | None = None,
    segment: str = "",
) -> dict[int, WindowScore]:
    """For many scopes at once (one query over day roll-ups): each scope's headline window,
    counting only `segment`'s answers when one is given (the segment roll-up's day rows).

    A scope with no responses in the longest window is left out.
    """
    today = today or timezone.localdate()
    if not scope_ids:
        return {}
    sums = {}
    for days in HEADLINE_WINDOWS:
        for back in (0, 1):
            start, end = _window(days, today, back=back)
            in_window = Q(period_start__range=(start, end))
            for name in _FIELDS:
                sums[f"{name}_{days}_{back}"] = Sum(name, filter=in_window)
    longest = HEADLINE_WINDOWS[-1]
    table = SegmentRollup.objects.filter(segment=segment) if segment else Rollup.objects.all()
    rows = (
        table.filter(
            metric=metric,
            scope=scope,
            grain=Grain.DAY,
            scope_id__in=scope_ids,
            period_start__range=(_window(longest, today, back=1)[0], today),
        )
        .values("scope_id")
        .annotate(**sums)
    )
    scores = {}
    for row in rows:
        points = {
            (days, back): _point(metric, row, days, back, today)
            for days in HEADLINE_WINDOWS
            for back in (0, 1)
        }
        if points[(longest, 0)].n == 0:
            continue
        days = next((d for d in HEADLINE_WINDOWS if points[(d, 0)].enough), longest)
        scores[row["scope_id"]] = WindowScore(
            current=points[(days, 0)],
            previous=points[(days, 1)],
            days=days,
            widened=days != HEADLINE_WINDOWS[0],
        )
    return scores


def _point(metric: str, row: dict, days: int, back: int, today: date) -> WindowPoint:
    value = {name: row[f"{name}_{days}_{back}"] or 0 for name in _FIELDS}
    estimate = stats.score(metric, **value)
    start, end = _window(days, today, back=back)
    return WindowPoint(
        start=start,
        end=end,
        n=value["n"],
        value=estimate.value,
        low=estimate.low,
        high=estimate.high,
        enough=estimate.enough,
    )
