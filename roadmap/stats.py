"""Pure roadmap logic: health, progress roll-up, verdicts on expected results, dependency cycles.

No Django here: each function takes plain values so tests can state the rule in a line.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

AT_RISK = "at_risk"
ON_TRACK = "on_track"
DONE = "done"
DROPPED = "dropped"
NOT_STARTED = "not_started"

HEALTH_LABELS = {
    ON_TRACK: "On track",
    AT_RISK: "At risk",
    DONE: "Done",
    DROPPED: "Dropped",
    NOT_STARTED: "Not started",
}
HEALTH_RAG = {
    ON_TRACK: "green",
    AT_RISK: "red",
    DONE: "green",
    DROPPED: "grey",
    NOT_STARTED: "grey",
}


@dataclass(frozen=True)
class MilestoneFact:
    title: str
    due_date: date
    done_date: date | None


@dataclass(frozen=True)
class DependencyFact:
    title: str
    end_date: date
    status: str


@dataclass(frozen=True)
class Health:
    level: str
    reasons: tuple[str, ...] = field(default_factory=tuple)

    @property
    def label(self) -> str:
        return HEALTH_LABELS[self.level]

    @property
    def rag(self) -> str:
        return HEALTH_RAG[self.level]


def initiative_health(
    *,
    status: str,
    start_date: date,
    end_date: date,
    milestones: Iterable[MilestoneFact],
    dependencies: Iterable[DependencyFact],
    today: date,
) -> Health:
    """Health derived from facts, never typed.

    At risk when any milestone is past due and not done, when an initiative it depends on ends
    after this one starts (it cannot have what it needs in time), or when the end date passed
    without the initiative being done. Done and dropped initiatives are what their status says.
    """
    if status == "done":
        return Health(DONE)
    if status == "dropped":
        return Health(DROPPED)
    reasons: list[str] = []
    for milestone in milestones:
        if milestone.done_date is None and milestone.due_date < today:
            reasons.append(f"Milestone “{milestone.title}” was due {milestone.due_date:%d %b %Y}.")
    for dependency in dependencies:
        if dependency.status != "dropped" and dependency.end_date > start_date:
            reasons.append(
                f"Depends on “{dependency.title}”, which ends {dependency.end_date:%d %b %Y}, "
                f"after this starts ({start_date:%d %b %Y})."
            )
    if end_date < today:
        reasons.append(f"Planned to end {end_date:%d %b %Y} but is not done.")
    if reasons:
        return Health(AT_RISK, tuple(reasons))
    if start_date > today and status in ("proposed", "planned"):
        return Health(NOT_STARTED)
    return Health(ON_TRACK)


def rolled_up_progress(
    *, progress: int | None, status: str, milestones_done: int, total: int
) -> int:
    """Per cent complete: what people set, else the share of milestones done (done = 100)."""
    if progress is not None:
        return progress
    if status == "done":
        return 100
    # A count of milestones is never negative: `total <= 0` would mean the same.
    if total == 0:  # pragma: no mutate
        return 0
    return round(100 * milestones_done / total)


# --- Expected against actual ----------------------------------------------------------------

ACHIEVED = "achieved"
BEHIND = "behind"
TOO_FEW = "too_few"

VERDICT_LABELS = {
    ACHIEVED: "Achieved",
    ON_TRACK: "On track",
    BEHIND: "Behind",
    TOO_FEW: "Too few responses",
}
VERDICT_RAG = {ACHIEVED: "green", ON_TRACK: "green", BEHIND: "red", TOO_FEW: "grey"}


# Which way is better, per metric. The metrics app asks CES as agreement that the company
# "made it easy" (1–7, higher is easier; see metrics/models.py), so every metric here rises.
HIGHER_IS_BETTER = {"nps": True, "csat": True, "ces": True}


# A Protocol only describes a type: without `@property` nothing changes at run time.
class ScoreLike(Protocol):
    @property  # pragma: no mutate
    def period_start(self) -> date: ...
    @property  # pragma: no mutate
    def value(self) -> float | None: ...
    @property  # pragma: no mutate
    def enough(self) -> bool: ...


@dataclass(frozen=True)
class Verdict:
    kind: str
    actual: float | None
    actual_period: date | None
    expected_now: float

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.kind]

    @property
    def rag(self) -> str:
        return VERDICT_RAG[self.kind]


def expected_on(*, baseline: float, target: float, start: date, by_date: date, on: date) -> float:
    """The straight baseline → target line at date `on`, flat before start and after by_date."""
    span = (by_date - start).days
    if span <= 0:
        return target
    share = min(max((on - start).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * share


def result_verdict(
    *,
    points: Sequence[ScoreLike],
    baseline: float,
    target: float,
    start: date,
    by_date: date,
    today: date,
    higher_is_better: bool,
) -> Verdict:
    """Read the actual monthly scores against the promise.

    - too few responses: no month has enough responses (n ≥ 30, `enough`) to read a score;
    - achieved: the latest month with enough responses meets the target (≥ when higher is
      better, as for NPS, CSAT and CES in this product; ≤ for a metric where lower is better);
    - on track: that score is at or beyond the straight baseline → target line at today's date;
    - behind: otherwise.
    """
    expected_now = expected_on(
        baseline=baseline, target=target, start=start, by_date=by_date, on=today
    )
    readable = [p for p in points if p.enough and p.value is not None]
    if not readable:
        return Verdict(TOO_FEW, None, None, expected_now)
    latest = max(readable, key=lambda p: p.period_start)
    actual = float(latest.value)  # type: ignore[arg-type]

    def meets(value: float, bar: float) -> bool:
        return value >= bar if higher_is_better else value <= bar

    if meets(actual, target):
        kind = ACHIEVED
    elif meets(actual, expected_now):
        kind = ON_TRACK
    else:
        kind = BEHIND
    return Verdict(kind, actual, latest.period_start, expected_now)


# --- Dependency graph -----------------------------------------------------------------------


def find_cycle(edges: Mapping[int, Iterable[int]], *, new_from: int, new_to: int) -> list[int]:
    """The cycle that adding `new_from` depends on `new_to` would close, or [] when none.

    `edges[a]` lists what `a` depends on. The cycle is returned as ids from `new_from` back to
    itself, e.g. [a, b, c, a], found by a depth-first search from `new_to` for `new_from`.
    """
    if new_from == new_to:
        return [new_from, new_from]
    stack: list[tuple[int, list[int]]] = [(new_to, [new_from, new_to])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        if node == new_from:
            return path
        if node in seen:
            continue
        seen.add(node)
        for nxt in edges.get(node, ()):
            stack.append((nxt, [*path, nxt]))
    return []
