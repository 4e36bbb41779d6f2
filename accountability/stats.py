"""Pure arithmetic for meeting schedules and the accountability scorecard (no Django)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

# Only the keys are read (the cadences that step by weekday); the lengths are for the reader.
CADENCE_DAYS = {"weekly": 7, "fortnightly": 14}  # pragma: no mutate


def next_meeting_date(
    *, cadence: str, weekday: int, after: date, anchor: date | None = None
) -> date:
    """The first meeting day strictly after `after`.

    Weekly: the next `weekday`. Fortnightly: every 14 days from `anchor` (the series' previous
    meeting) on that weekday, or the next `weekday` when there is no anchor. Monthly: the first
    `weekday` of the following month that is after `after` (e.g. "first Tuesday").
    """
    if cadence == "monthly":
        year, month = after.year, after.month
        # The weekday falls in this month or the next: a third turn never runs.
        for _ in range(3):  # pragma: no mutate
            first = date(year, month, 1)
            candidate = first + timedelta(days=(weekday - first.weekday()) % 7)
            if candidate > after:
                return candidate
            year, month = (
                (year + 1, 1)
                # Months run 1–12: `month >= 12` would mean the same.
                if month == 12  # pragma: no mutate
                else (year, month + 1)
            )
        raise AssertionError("unreachable: a later month always has the weekday")
    if cadence == "fortnightly" and anchor is not None and anchor.weekday() == weekday:
        steps = (after - anchor).days // 14 + 1
        return anchor + timedelta(days=14 * max(steps, 1))
    if cadence not in CADENCE_DAYS:
        raise ValueError(f"unknown cadence {cadence!r}")
    days = (weekday - after.weekday()) % 7 or 7
    return after + timedelta(days=days)


@dataclass(frozen=True)
class DeliveryFigures:
    """How a department keeps its commitments, from its action items."""

    due_count: int  # items whose due date has passed or that are done
    done_on_time: int
    overdue: int  # open and past due today
    on_time_pct: float | None  # done on time / due_count × 100; None when nothing was due
    avg_days_late: float | None  # mean lateness of late items (done late or still overdue)


def delivery_figures(items: Iterable[tuple[date, date | None]], *, today: date) -> DeliveryFigures:
    """Scorecard figures from (due, completed_on) pairs.

    An item counts once it is done or its due date has passed (`due < today`): items not yet due
    are neither on time nor late. Done on time means completed_on <= due. Days late is
    completed_on − due for items done late and today − due for items still open past due;
    the average is over late items only, so a department is not flattered by its on-time work.
    """
    due_count = done_on_time = overdue = 0
    late_days: list[int] = []
    for due, completed_on in items:
        if completed_on is None and due >= today:
            continue
        due_count += 1
        if completed_on is not None:
            if completed_on <= due:
                done_on_time += 1
            else:
                late_days.append((completed_on - due).days)
        else:
            overdue += 1
            late_days.append((today - due).days)
    return DeliveryFigures(
        due_count=due_count,
        done_on_time=done_on_time,
        overdue=overdue,
        on_time_pct=round(100 * done_on_time / due_count, 1) if due_count else None,
        avg_days_late=round(sum(late_days) / len(late_days), 1) if late_days else None,
    )


def combined_delivery(figures: Iterable[DeliveryFigures]) -> DeliveryFigures:
    """Several departments' figures as one: every counted item is either done on time or late,
    so the late items' mean lateness is weighted by their number."""
    figures = list(figures)
    due_count = sum(f.due_count for f in figures)
    done_on_time = sum(f.done_on_time for f in figures)
    late = [
        (f.due_count - f.done_on_time, f.avg_days_late)
        for f in figures
        if f.avg_days_late is not None
    ]
    late_count = sum(count for count, _ in late)
    return DeliveryFigures(
        due_count=due_count,
        done_on_time=done_on_time,
        overdue=sum(f.overdue for f in figures),
        on_time_pct=round(100 * done_on_time / due_count, 1) if due_count else None,
        avg_days_late=(
            round(sum(count * (days or 0) for count, days in late) / late_count, 1)
            if late_count
            else None
        ),
    )


@dataclass(frozen=True)
class RagCutoffs:
    """Where green and amber begin for one figure (the CCO's, read through
    `accountability.cutoffs`): for a figure better higher, green from `green` and amber from
    `amber`; for a count better lower, green up to `green` and amber up to `amber`."""

    green: float
    amber: float


def on_time_rag(on_time_pct: float | None, cutoffs: RagCutoffs) -> str:
    if on_time_pct is None:
        return "grey"
    if on_time_pct >= cutoffs.green:
        return "green"
    return "amber" if on_time_pct >= cutoffs.amber else "red"


def open_issues_rag(count: int, cutoffs: RagCutoffs) -> str:
    if count <= cutoffs.green:
        return "green"
    return "amber" if count <= cutoffs.amber else "red"


def percentage(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


# An open CX issue escalates once this many breaches have been counted against it.
ESCALATE_AFTER_BREACHES = 3


def issue_escalates(*, breach_count: int, first_value: float, latest_value: float) -> bool:
    """Whether an open CX issue should be escalated: the score kept breaching (at least
    ESCALATE_AFTER_BREACHES breaches counted against it) or the latest breach is worse (lower;
    every metric is higher-is-better) than the one that raised it."""
    return breach_count >= ESCALATE_AFTER_BREACHES or latest_value < first_value


# --- The agenda: severity, time box and parking lot ----------------------------------------------

# A metric's display scale (NPS −100…100, CSAT top-two box 0…100 %, CES mean 1…7): the distance
# below a floor is read as a share of it, so a CES issue is not ranked below every NPS one.
METRIC_SPAN = {"nps": 200.0, "csat": 100.0, "ces": 6.0}
# Three minutes an item: a 60-minute meeting discusses 20.
MINUTES_PER_ITEM = 3
# How the active agenda is shared between sections, before unused places go round the others.
SECTION_SHARES = {"cx_issue": 0.4, "action_item": 0.3, "milestone": 0.2, "kpi": 0.1}


def issue_severity(breaches: Iterable[tuple[str, int, float | None, float]]) -> float:
    """Customers affected × distance below the floor, for a CX issue's breaches given as
    (metric, n, reference, value): the largest n × (reference − value) / span × 100 over them,
    i.e. respondents × points of the 0–100 scale below the floor (or the score it dropped from).
    0 for an issue with no breach (raised by hand) or none below its reference."""
    worst = 0.0
    for metric, n, reference, value in breaches:
        # A breach at or above its reference adds at most 0 to a maximum that starts at 0, so
        # skipping it on `>` or `==` instead changes nothing.
        if reference is None or value >= reference:  # pragma: no mutate
            continue
        worst = max(worst, n * (reference - value) / METRIC_SPAN.get(metric, 100.0) * 100)
    return round(worst, 1)


def days_past(due: date, *, until: date) -> int:
    """Days overdue (action item) or of slip (milestone): until − due, never below 0."""
    return max((until - due).days, 0)


# The meeting's named sections, in the order it runs them: (key, name, the agenda kinds whose
# items it discusses). Check-in, headlines and wrap-up are fixed: a few minutes each; the others
# share what is left by their ranked, time-boxed items (agenda_plan). Items added by hand are
# issues to solve; overdue follow-up cases are reviewed with the action items.
MEETING_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("check_in", "Check-in", ()),
    ("scorecard", "Scorecard and KPIs", ("kpi",)),
    ("milestones", "Roadmap milestones", ("milestone",)),
    ("cx_issues", "CX issues to solve", ("cx_issue", "manual")),
    ("action_items", "Action-item review", ("action_item", "followups")),
    ("headlines", "Headlines", ()),
    ("wrap_up", "Wrap-up", ()),
)
FIXED_SECTIONS = ("check_in", "headlines", "wrap_up")
# A fixed section takes a twelfth of the meeting, at most five minutes: 5 each in an hour (15 of
# 60), 2 each in half an hour; a meeting under 12 minutes is all agenda.
FIXED_SECTION_MINUTES = 5


def fixed_section_minutes(meeting_minutes: int) -> int:
    """Minutes of each fixed section (check-in, headlines, wrap-up) in a meeting this long."""
    return min(FIXED_SECTION_MINUTES, max(meeting_minutes, 0) // 12)


def agenda_minutes(meeting_minutes: int) -> int:
    """The minutes the ranked agenda items share: the meeting less its fixed sections."""
    return max(meeting_minutes, 0) - len(FIXED_SECTIONS) * fixed_section_minutes(meeting_minutes)


def section_plan(meeting_minutes: int, item_minutes: dict[str, int]) -> list[tuple[str, str, int]]:
    """The meeting's sections as (key, name, planned minutes), in order, summing to the meeting's
    length: fixed sections their few minutes, the others the planned minutes of their items
    (item_minutes by agenda kind). Minutes no item takes (an agenda with nothing active) go to
    the issues to solve: the meeting still has that time to talk."""
    fixed = fixed_section_minutes(meeting_minutes)
    plan = [
        (key, name, fixed if key in FIXED_SECTIONS else sum(item_minutes.get(k, 0) for k in kinds))
        for key, name, kinds in MEETING_SECTIONS
    ]
    unused = max(meeting_minutes, 0) - sum(minutes for _, _, minutes in plan)
    return [
        (key, name, minutes + (unused if key == "cx_issues" else 0)) for key, name, minutes in plan
    ]


def agenda_plan(items: list[tuple[int, str, float]], *, meeting_minutes: int) -> dict[int, int]:
    """Planned minutes per agenda item, from (key, section, severity) in section order; 0 means
    parked (the parking lot, carried over to the next meeting).

    The meeting discusses meeting_minutes // MINUTES_PER_ITEM items. Items added by hand
    (section "manual") are always discussed: the chair put them there. The other places are
    shared by SECTION_SHARES, each section taking its most severe items; places a section
    cannot use go round the sections in order, to each one's next most severe item. The
    meeting's minutes are split evenly over the active items, the remainder a minute each to
    the first ones, so the planned minutes sum exactly to the meeting's length.
    """
    capacity = max(meeting_minutes // MINUTES_PER_ITEM, 1)
    by_section: dict[str, list[tuple[int, float]]] = {}
    for key, section, severity in items:
        by_section.setdefault(section, []).append((key, severity))
    for ranked in by_section.values():
        ranked.sort(key=lambda pair: -pair[1])  # stable: equal severities keep their order
    active = [key for key, _ in by_section.pop("manual", [])]
    # Below zero, every share rounds to no place and nothing is spare: any floor ≤ 0 is the same.
    left = max(capacity - len(active), 0)  # pragma: no mutate
    taken = {
        section: min(len(ranked), int(SECTION_SHARES.get(section, 0) * left))
        for section, ranked in by_section.items()
    }
    spare = left - sum(taken.values())
    # A section never takes more than it has and spare never drops below zero, so `!=` for
    # `<` or `>` on these two lines means the same.
    while spare > 0 and any(taken[s] < len(r) for s, r in by_section.items()):  # pragma: no mutate
        for section, ranked in by_section.items():
            if spare > 0 and taken[section] < len(ranked):  # pragma: no mutate
                taken[section] += 1
                spare -= 1
    for section, ranked in by_section.items():
        active.extend(key for key, _ in ranked[: taken[section]])
    chosen = set(active)
    order = [key for key, _, _ in items if key in chosen]
    # With no item there is nothing to share: the fallback's numbers are never read.
    base, extra = divmod(meeting_minutes, len(order)) if order else (0, 0)  # pragma: no mutate
    minutes = {key: base + (1 if index < extra else 0) for index, key in enumerate(order)}
    return {key: minutes.get(key, 0) for key, _, _ in items}


# -- follow-up cases ---------------------------------------------------------------------------


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days (Monday–Friday) after `start`: opened on a Friday with
    two working days, a case is due on Tuesday; opened on a Saturday, also on Tuesday."""
    current = start
    added = 0
    while added < days:
        current += timedelta(days=1)
        # Monday–Friday are weekdays 0–4.
        if current.weekday() < 5:
            added += 1
    return current


def is_low_score(score: int, threshold: int) -> bool:
    """A response opens a follow-up case when its raw score is at or below the threshold."""
    return score <= threshold


@dataclass(frozen=True)
class FollowupFigures:
    """How a department closes the loop with customers who scored low.

    loop_closed_pct: of the cases that are closed or past their due date, the share closed with
    the customer reached (outcome resolved or declined); cases still within their service level
    are not yet judged. median_hours_to_contact: the median of first contact − opening over
    cases with a contact. overdue: open cases past their due date today.
    """

    cases: int
    judged: int
    loop_closed: int
    loop_closed_pct: float | None
    median_hours_to_contact: float | None
    overdue: int


REACHED_OUTCOMES = frozenset({"resolved", "declined"})


def followup_figures(
    *, cases: int, judged: int, loop_closed: int, overdue: int, median_hours: float | None
) -> FollowupFigures:
    """The figures from the counts `accountability.followup_selectors` takes in SQL (where each
    one is defined): the close-the-loop rate as a percentage of the judged cases, the median
    rounded to a tenth of an hour."""
    return FollowupFigures(
        cases=cases,
        judged=judged,
        loop_closed=loop_closed,
        loop_closed_pct=percentage(loop_closed, judged),
        median_hours_to_contact=round(median_hours, 1) if median_hours is not None else None,
        overdue=overdue,
    )


NO_FOLLOWUPS = FollowupFigures(
    cases=0, judged=0, loop_closed=0, loop_closed_pct=None, median_hours_to_contact=None, overdue=0
)


@dataclass(frozen=True)
class Correlation:
    """Pearson's r across `n` pairs with its 95 % interval; r and the interval are None when
    there are too few pairs (or no spread) to say anything."""

    r: float | None
    low: float | None
    high: float | None
    n: int


def pearson(xs: list[float], ys: list[float], *, minimum: int) -> Correlation:
    """Pearson's r with the 95 % interval from Fisher's z transformation
    (z = atanh r, SE = 1/√(n−3), back-transformed with tanh), as scipy computes it. None under
    `minimum` pairs, or when either side does not vary (r is undefined)."""
    n = len(xs)
    if n < max(minimum, 4) or len(set(xs)) < 2 or len(set(ys)) < 2:
        return Correlation(None, None, None, n)
    from scipy.stats import pearsonr

    result = pearsonr(xs, ys)
    interval = result.confidence_interval(confidence_level=0.95)
    return Correlation(float(result.statistic), float(interval.low), float(interval.high), n)
