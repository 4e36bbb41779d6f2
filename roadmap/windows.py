"""Windows of whole months and the score pooled over them — pure functions, no Django.

An expected result's baseline and its verdict are each read on a window of complete months;
this module names such windows ("Sep–Nov 2026") and pools the monthly roll-ups' counts into
one score with `metrics.stats.score`, the one definition of a score and its 95 % interval.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from metrics.stats import MIN_RESPONSES, Estimate, score


def add_months(day: date, months: int) -> date:
    """The same day `months` later (earlier when negative), kept inside the month: 31 Jan + 1
    month is 28 (or 29) Feb."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_label(start: date, end: date) -> str:
    """The months from `start` up to (not including) `end`, as a page names them: "Nov 2026",
    "Sep–Nov 2026", "Dec 2025–Feb 2026"."""
    last = add_months(end, -1)
    if last <= start:
        return f"{start:%b %Y}"
    # `last` is after `start` here, so never in an earlier year: `<=` would mean the same.
    if last.year == start.year:  # pragma: no mutate
        return f"{start:%b}–{last:%b %Y}"
    return f"{start:%b %Y}–{last:%b %Y}"


# A Protocol only describes a type: without `@property` nothing changes at run time.
class MonthCounts(Protocol):
    """One month's additive counts of one score, as a monthly roll-up row stores them."""

    @property  # pragma: no mutate
    def period_start(self) -> date: ...
    @property  # pragma: no mutate
    def n(self) -> int: ...
    @property  # pragma: no mutate
    def promoters(self) -> int: ...
    @property  # pragma: no mutate
    def passives(self) -> int: ...
    @property  # pragma: no mutate
    def detractors(self) -> int: ...
    @property  # pragma: no mutate
    def total(self) -> float: ...
    @property  # pragma: no mutate
    def total_sq(self) -> float: ...


@dataclass(frozen=True)
class Reading:
    """A score over whole months, from the first day of `start`'s month up to (not including)
    `end`, with its n and 95 % interval."""

    start: date
    end: date
    n: int
    value: float | None
    low: float | None
    high: float | None
    # What `n` counts and how many make a figure: responses (30) for a score, customers (30)
    # for an outcome, weeks (4) for a KPI.
    noun: str = "responses"
    minimum: int = MIN_RESPONSES
    # Money the reading stands on: the twelve-month revenue of the customers read (outcomes).
    base: float | None = None

    @classmethod
    def of(
        cls,
        start: date,
        end: date,
        estimate: Estimate,
        *,
        noun: str = "responses",
        minimum: int = MIN_RESPONSES,
        base: float | None = None,
    ) -> "Reading":
        """The window's reading of an estimate (its n, value and interval)."""
        return cls(start, end, estimate.n, estimate.value, estimate.low, estimate.high,
                   noun=noun, minimum=minimum, base=base)  # fmt: skip

    @property
    def enough(self) -> bool:
        return self.n >= self.minimum and self.value is not None

    @property
    def label(self) -> str:
        return months_label(self.start, self.end)

    @property
    def text(self) -> str:
        """ "Sep–Nov 2026, n=412" — the months and the responses a figure stands on ("Sep–Nov
        2026, 212 customers" for an outcome, "…, 13 weeks" for a KPI)."""
        if self.noun == "responses":
            return f"{self.label}, n={self.n}"
        return f"{self.label}, {self.n} {self.noun}"


def pooled(metric: str, months: Iterable[MonthCounts], *, start: date, end: date) -> Reading:
    """The score of the months from `start` up to `end`, pooled: their counts are summed and
    scored once by `metrics.stats.score` (NPS, CSAT top-two box or CES mean, with the interval
    that metric uses), so a window reads exactly as one long period would."""
    inside = [m for m in months if start <= m.period_start < end]
    estimate = score(
        metric,
        n=sum(m.n for m in inside),
        promoters=sum(m.promoters for m in inside),
        passives=sum(m.passives for m in inside),
        detractors=sum(m.detractors for m in inside),
        total=sum(m.total for m in inside),
        total_sq=sum(m.total_sq for m in inside),
    )
    return Reading.of(start, end, estimate)
