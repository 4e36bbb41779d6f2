"""Pure roadmap logic: health, progress roll-up, verdicts on expected results, dependency cycles.

No Django here: each function takes plain values so tests can state the rule in a line. Scores
over windows of months come from `roadmap.windows` (pure too).
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from metrics.stats import MIN_RESPONSES as MIN_RESPONSES
from roadmap.windows import MonthCounts, Reading, add_months, pooled

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
    """An initiative's derived health: its level, why it is at risk, and what each expected
    result was judged on ("CES · Touch point: Call centre: behind, judged on Sep–Nov 2026,
    n=412")."""

    level: str
    reasons: tuple[str, ...] = field(default_factory=tuple)
    judged_on: tuple[str, ...] = field(default_factory=tuple)

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
    results: Iterable["ResultFact"] = (),
) -> Health:
    """Health derived from the schedule and the expected results, never typed. The rule:

    1. A done or dropped initiative is what its status says.
    2. Otherwise it is at risk when any of these holds, each given as a reason in this order:
       a milestone is past due and not done; an initiative it depends on (not dropped) ends
       after this one starts; its end date has passed; **an expected result is behind** (its
       verdict by `result_verdict`, named with its score, the line and the months judged).
    3. Otherwise it is not started when it is proposed or planned and starts after today;
    4. otherwise on track.

    So an initiative is never "On track" while one of its expected results is "Behind". A
    result that is too early, has no baseline, is on track or achieved leaves the schedule's
    health as it is; every result's verdict and the months it was judged on are listed in
    `judged_on`.
    """
    results = list(results)
    judged_on = tuple(
        f"{r.name}: {r.verdict.label.lower()}, {r.verdict.judged_on}" for r in results
    )
    if status == "done":
        return Health(DONE, judged_on=judged_on)
    if status == "dropped":
        return Health(DROPPED, judged_on=judged_on)
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
    for result in results:
        if result.verdict.kind == BEHIND:
            reasons.append(result.behind_reason)
    if reasons:
        return Health(AT_RISK, tuple(reasons), judged_on)
    if start_date > today and status in ("proposed", "planned"):
        return Health(NOT_STARTED, judged_on=judged_on)
    return Health(ON_TRACK, judged_on=judged_on)


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
TOO_EARLY = "too_early"
NO_BASELINE = "no_baseline"

VERDICT_LABELS = {
    ACHIEVED: "Achieved",
    ON_TRACK: "On track",
    BEHIND: "Behind",
    TOO_EARLY: "Too early",
    NO_BASELINE: "No baseline",
}
VERDICT_RAG = {
    ACHIEVED: "green",
    ON_TRACK: "green",
    BEHIND: "red",
    TOO_EARLY: "grey",
    NO_BASELINE: "grey",
}

# Defaults of an expected result: the baseline is the 3 complete months before the start, and
# the result is first judged 3 months after the start. The judged window is the last 3
# complete months after the start, widened back (never before the start) until n ≥ 30.
BASELINE_MONTHS = 3
TIME_TO_IMPACT_MONTHS = 3
JUDGED_MONTHS = 3

# Which way is better, per metric. The metrics app asks CES as agreement that the company
# "made it easy" (1–7, higher is easier; see metrics/models.py), so every metric here rises.
# Of the outcome measures, retention and revenue rise and cost to serve falls; a KPI says its
# own direction (metrics.KPI.direction).
HIGHER_IS_BETTER = {
    "nps": True,
    "csat": True,
    "ces": True,
    "retention": True,
    "revenue": True,
    "cost_to_serve": False,
}

# Reads a window of months [start, end) of one measure: the score, outcome or KPI over it.
WindowReader = Callable[[date, date], Reading]


MEASURED = "measured"
TYPED = "typed"
TOO_FEW_BEFORE = "too_few"
PENDING = "pending"


@dataclass(frozen=True)
class Baseline:
    """Where an expected result starts from: the score measured over the months before the
    initiative's start, unless the CCO typed one (an override, always said so). Until those
    months are over (a start still to come) it is pending."""

    measured: Reading
    typed: float | None = None
    complete: bool = True

    @property
    def source(self) -> str:
        if self.typed is not None:
            return TYPED
        if not self.complete:
            return PENDING
        return MEASURED if self.measured.enough else TOO_FEW_BEFORE

    @property
    def value(self) -> float | None:
        if self.typed is not None:
            return self.typed
        return self.measured.value if self.complete and self.measured.enough else None

    @property
    def text(self) -> str:
        """What the page says about the baseline, naming its months, n and interval:
        "5.7, measured on Sep–Nov 2025, n=412, 95 % interval 5.6 to 5.8"."""
        measured = self.measured
        if not self.complete:
            found = (
                f"to be measured on {measured.label}, once those months are over "
                f"(n={measured.n} so far)"
            )
        elif measured.enough:
            found = f"{measured.value:.1f}, measured on {measured.text}"
            if measured.low is not None and measured.high is not None:
                found += f", 95 % interval {measured.low:.1f} to {measured.high:.1f}"
        else:
            found = (
                f"too few {measured.noun} before the start to measure it: n={measured.n} on "
                f"{measured.label}, {measured.minimum} needed"
            )
        if self.typed is not None:
            return f"{self.typed:.1f}, typed by the CCO (measured: {found})"
        return found[0].upper() + found[1:]


def measured_baseline(
    metric: str,
    months: Iterable[MonthCounts],
    *,
    start: date,
    today: date | None = None,
    window_months: int = BASELINE_MONTHS,
    typed: float | None = None,
    read: WindowReader | None = None,
) -> Baseline:
    """The score over the `window_months` complete months before `start` (the 3 months
    Sep–Nov for a start on 1 or 15 Dec: a month the start falls inside is not before it),
    pending while `today` is before the window's end. `read`, when given, reads the window
    instead of pooling `months` (an outcome or a KPI; see roadmap.selectors.measures)."""
    end = start.replace(day=1)
    begin = add_months(end, -window_months)
    window = read(begin, end) if read else pooled(metric, months, start=begin, end=end)
    return Baseline(window, typed, complete=today is None or today >= end)


def judged_window(
    metric: str,
    months: Iterable[MonthCounts],
    *,
    start: date,
    today: date,
    length: int = JUDGED_MONTHS,
    read: WindowReader | None = None,
) -> Reading | None:
    """The months a verdict is read on: the last `length` complete months that begin on or
    after `start`, widened back a month at a time (never before the start) while fewer than
    MIN_RESPONSES answered (or, with `read`, while its reading is not `enough`: under 30
    customers, under 4 weeks of a KPI). None while no complete month has passed since the start.

    Only months starting on or after the start count, so no response from before the start
    (nor from the part of a month before a mid-month start) ever judges a result; the month
    of `today` is left out because it is not over.
    """
    months = list(months)
    # Days of the month start at 1: `<=` would mean the same.
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)  # pragma: no mutate
    end = today.replace(day=1)
    if end <= first:
        return None

    def window(begin: date) -> Reading:
        return read(begin, end) if read else pooled(metric, months, start=begin, end=end)

    begin = max(first, add_months(end, -length))
    reading = window(begin)
    # `begin` never falls below `first`: `!=` would mean the same.
    while not reading.enough and begin > first:  # pragma: no mutate
        begin = add_months(begin, -1)
        reading = window(begin)
    return reading


@dataclass(frozen=True)
class Verdict:
    """The judgement on an expected result, with the months it was judged on (`window`, None
    while it is too early)."""

    kind: str
    window: Reading | None
    expected: float | None
    judged_from: date
    note: str = ""

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.kind]

    @property
    def rag(self) -> str:
        return VERDICT_RAG[self.kind]

    @property
    def actual(self) -> float | None:
        """The judged window's score; None while it is too early to judge (no window)."""
        return None if self.window is None else self.window.value

    @property
    def judged_on(self) -> str:
        """ "judged on Sep–Nov 2026, n=412", or why it is not judged yet."""
        if self.window is None:
            return self.note
        judged = f"judged on {self.window.text}"
        return f"{judged}; {self.note}" if self.note else judged


def expected_on(*, baseline: float, target: float, start: date, by_date: date, on: date) -> float:
    """The straight baseline → target line at date `on`, flat before start and after by_date."""
    span = (by_date - start).days
    if span <= 0:
        return target
    share = min(max((on - start).days / span, 0.0), 1.0)
    return baseline + (target - baseline) * share


def result_verdict(
    *,
    metric: str,
    months: Sequence[MonthCounts],
    baseline: float | None,
    target: float,
    start: date,
    by_date: date,
    today: date,
    time_to_impact: int = TIME_TO_IMPACT_MONTHS,
    higher_is_better: bool = True,
    read: WindowReader | None = None,
) -> Verdict:
    """Read the months after the start against the promise. In this order:

    - too early: before `time_to_impact` months have passed since the start (on the day they
      have, it is judged), or while the complete months since the start hold fewer than
      MIN_RESPONSES (30) responses (with `read`: under its reading's minimum — 30 customers
      for an outcome, 4 weeks for a KPI) — data from before the start never judges a result;
    - achieved: the judged window's pooled score (see `judged_window`) meets the target (≥
      when higher is better, as for NPS, CSAT and CES in this product; ≤ otherwise);
    - no baseline: neither measured (too few responses before the start) nor typed, so the
      line cannot be drawn;
    - on track: the score is at or beyond the straight baseline → target line at the middle
      of the judged window (the day the pooled score stands for);
    - behind: otherwise.
    """
    judged_from = add_months(start, time_to_impact)
    window = judged_window(metric, months, start=start, today=today, read=read)
    if today < judged_from:
        months_word = "month" if time_to_impact == 1 else "months"
        return Verdict(
            TOO_EARLY,
            None,
            None,
            judged_from,
            f"judged from {judged_from:%d %b %Y}, {time_to_impact} {months_word} after the start",
        )
    if window is None or not window.enough:
        since = "no complete month since the start yet"
        if window is not None:
            since = (
                f"{window.n} {window.noun} since the start ({window.label}); "
                f"{window.minimum} needed"
            )
        return Verdict(TOO_EARLY, None, None, judged_from, since)
    actual = float(window.value)  # type: ignore[arg-type]
    expected = None
    if baseline is not None:
        # A date drops the hours of a half day, so `//` would mean the same.
        middle = window.start + (window.end - window.start) / 2  # pragma: no mutate
        expected = expected_on(
            baseline=baseline, target=target, start=start, by_date=by_date, on=middle
        )

    def meets(value: float, bar: float) -> bool:
        return value >= bar if higher_is_better else value <= bar

    if meets(actual, target):
        return Verdict(ACHIEVED, window, expected, judged_from)
    if expected is None:
        return Verdict(
            NO_BASELINE,
            window,
            None,
            judged_from,
            f"too few {window.noun} before the start to draw the line",
        )
    return Verdict(ON_TRACK if meets(actual, expected) else BEHIND, window, expected, judged_from)


@dataclass(frozen=True)
class ResultFact:
    """An expected result as an initiative's health reads it: its name and its verdict."""

    name: str
    verdict: Verdict

    @property
    def behind_reason(self) -> str:
        verdict = self.verdict
        return (
            f"Expected result “{self.name}” is behind: {verdict.actual:.1f} against "
            f"{verdict.expected:.1f} expected, {verdict.judged_on}."
        )


# --- Dependency graph -----------------------------------------------------------------------


def find_cycle(edges: Mapping[int, Iterable[int]], *, new_from: int, new_to: int) -> list[int]:
    """The cycle that adding `new_from` depends on `new_to` would close, or [] when none.

    `edges[a]` lists what `a` depends on. The cycle is returned as ids from `new_from` back to
    itself, e.g. [a, b, c, a], found by a depth-first search from `new_to` for `new_from`.
    """
    # A shortcut only: the search below finds [a, a] for a self-dependency too, so an `is`
    # here (or a missed shortcut) changes no answer.
    if new_from == new_to:  # pragma: no mutate
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
