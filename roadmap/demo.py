"""The demo five-year roadmap: pillars, ~25 initiatives, ~100 milestones, dependencies and
expected results read against the seeded touch points.

Deterministic and safe to re-run: everything is matched by its natural key (roadmap name,
pillar name, initiative title, milestone title). Expected results measure their baselines from
the seeded responses, and their targets are set against the seeded scores so the demo shows
results achieved, on track, one behind and some too early.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from cco.demo import Progress
from cco.models import Department, User
from metrics.models import Grain, Metric, Rollup, Scope, Touchpoint
from roadmap.demo_money import seed_money
from roadmap.models import Dependency, ExpectedResult, Initiative, Milestone, Pillar, Roadmap
from roadmap.stats import (
    BASELINE_MONTHS,
    TIME_TO_IMPACT_MONTHS,
    TOO_EARLY,
    judged_window,
    measured_baseline,
    result_verdict,
)
from roadmap.windows import add_months

ROADMAP_NAME = "Customer experience 2026–2030"

PILLARS = [
    ("Know the customer", "#1d4f91", "Listen at every touch point and act on what we hear."),
    ("Fix the pits", "#b3261e", "Remove the moments that make customers leave."),
    ("Digital first", "#2d7d9a", "Make the easy things effortless online."),
    ("Empower the front line", "#1e7b4f", "Give the people customers meet the means to help."),
    ("Accountable organisation", "#7b3fa0", "Hold every department to what it promised."),
]


@dataclass(frozen=True)
class DemoInitiative:
    pillar: str
    title: str
    department: str
    start: str  # YYYY-MM, first day
    end: str  # YYYY-MM, last day
    touchpoint: str = ""  # slug of the touch point it should move
    milestones: tuple[str, ...] = (
        "Discovery complete",
        "Pilot live",
        "Roll-out to all regions",
        "Results reviewed",
    )


INITIATIVES = [
    DemoInitiative("Know the customer", "Voice of the customer programme", "strategy",
                   "2026-01", "2026-12", "help-centre"),
    DemoInitiative("Know the customer", "Journey mapping for every journey", "marketing",
                   "2026-02", "2027-03"),
    DemoInitiative("Know the customer", "Customer data platform", "it", "2026-04", "2027-12"),
    DemoInitiative("Know the customer", "Closed-loop feedback", "customer-service",
                   "2027-01", "2028-06", "complaint-handling"),
    DemoInitiative("Know the customer", "Segment-level insight", "marketing", "2028-01",
                   "2029-06"),
    DemoInitiative("Fix the pits", "First-call resolution", "customer-service", "2026-01",
                   "2027-06", "call-centre"),
    DemoInitiative("Fix the pits", "Clear first invoice", "finance", "2026-03", "2027-02",
                   "first-invoice"),
    DemoInitiative("Fix the pits", "Complaint handling redesign", "customer-service",
                   "2026-06", "2027-12", "complaint-handling"),
    DemoInitiative("Fix the pits", "Honest price-change letters", "finance", "2027-01",
                   "2027-12", "price-change-letter"),
    DemoInitiative("Fix the pits", "Outage notices that help", "it", "2027-06", "2028-06",
                   "service-outage-notice"),
    DemoInitiative("Fix the pits", "Cancellation save desk", "sales", "2028-01", "2029-03",
                   "cancellation-call"),
    DemoInitiative("Digital first", "Mobile app rebuild", "digital", "2026-01", "2027-09",
                   "mobile-app"),
    DemoInitiative("Digital first", "Self-service billing", "digital", "2026-09", "2027-12",
                   "billing-query"),
    DemoInitiative("Digital first", "One-page checkout", "digital", "2026-02", "2026-10",
                   "online-checkout"),
    DemoInitiative("Digital first", "Proactive delivery tracking", "operations", "2027-03",
                   "2028-03", "delivery-tracking"),
    DemoInitiative("Digital first", "Help centre search", "customer-service", "2028-04",
                   "2029-06", "help-centre"),
    DemoInitiative("Empower the front line", "Front-line empowerment budget", "customer-service",
                   "2026-01", "2026-12", "call-centre"),
    DemoInitiative("Empower the front line", "CX training for every hire", "hr", "2026-06",
                   "2027-12"),
    DemoInitiative("Empower the front line", "Technician toolkit", "operations", "2027-01",
                   "2028-03", "technician-visit"),
    DemoInitiative("Empower the front line", "Store help desk revamp", "sales", "2028-06",
                   "2029-12", "store-help-desk"),
    DemoInitiative("Accountable organisation", "Monthly accountability meeting", "strategy",
                   "2026-01", "2030-12"),
    DemoInitiative("Accountable organisation", "CX goals in every scorecard", "hr", "2026-09",
                   "2027-06"),
    DemoInitiative("Accountable organisation", "Touch-point ownership for all departments",
                   "strategy", "2026-03", "2026-09"),
    DemoInitiative("Accountable organisation", "CX in the annual budget", "finance", "2027-09",
                   "2028-12"),
    DemoInitiative("Accountable organisation", "Customer-centred culture review", "hr",
                   "2029-01", "2030-12"),
]  # fmt: skip

# The key accomplishment each initiative ends with: what the year view shows an executive.
OUTCOMES = {
    "Voice of the customer programme": "Surveys live at every touch point",
    "Journey mapping for every journey": "All three journeys mapped with customers",
    "Customer data platform": "One customer record across channels",
    "Closed-loop feedback": "Every detractor called back within 48 hours",
    "Segment-level insight": "Scores read by segment every month",
    "First-call resolution": "Three in four calls resolved first time",
    "Clear first invoice": "New first invoice sent to all new customers",
    "Complaint handling redesign": "Complaints closed within five days",
    "Honest price-change letters": "Plain-language price letters sent",
    "Outage notices that help": "Outage notices with a fix time",
    "Cancellation save desk": "Save desk answering every cancellation call",
    "Mobile app rebuild": "New app in both stores",
    "Self-service billing": "Half of billing queries solved online",
    "One-page checkout": "One-page checkout live",
    "Proactive delivery tracking": "Delivery slot pushed to every customer",
    "Help centre search": "Help centre answers found in one search",
    "Front-line empowerment budget": "Every agent with a goodwill budget",
    "CX training for every hire": "All new hires trained in CX",
    "Technician toolkit": "Technicians fix on the first visit",
    "Store help desk revamp": "Help desks in every store",
    "Monthly accountability meeting": "Sixty accountability meetings held",
    "CX goals in every scorecard": "A CX goal in every department's scorecard",
    "Touch-point ownership for all departments": "Every touch point owned by a department",
    "CX in the annual budget": "CX investments in the annual budget",
    "Customer-centred culture review": "Culture review presented to the board",
}
# (dependent, depends on); the first one deliberately starts before its dependency ends.
DEPENDENCIES = [
    ("Closed-loop feedback", "Customer data platform"),
    ("Segment-level insight", "Customer data platform"),
    ("Self-service billing", "Clear first invoice"),
    ("Help centre search", "Mobile app rebuild"),
    ("Cancellation save desk", "Closed-loop feedback"),
    ("CX in the annual budget", "CX goals in every scorecard"),
    ("Technician toolkit", "CX training for every hire"),
    ("Proactive delivery tracking", "Mobile app rebuild"),
]
# Initiatives whose latest past milestone is left undone, so the demo has late milestones.
LATE = {"Customer data platform", "Clear first invoice", "Mobile app rebuild"}


def _month_start(text: str) -> date:
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, 1)


def _month_end(text: str) -> date:
    year, month = (int(part) for part in text.split("-"))
    return date(year, month, calendar.monthrange(year, month)[1])


# One unit of movement on each metric's display scale, and which way is better.
STEP: dict[str, float] = {Metric.NPS: 1.0, Metric.CSAT: 1.0, Metric.CES: 0.1}
RANGE: dict[str, tuple[float, float]] = {
    Metric.NPS: (-100.0, 100.0),
    Metric.CSAT: (0.0, 100.0),
    Metric.CES: (1.0, 7.0),
}
# Initiatives whose results take longer to show than the default 3 months.
SLOW_IMPACT = {"Self-service billing": 6, "CX goals in every scorecard": 6}


def _monthly(scope: str, scope_id: int) -> dict[str, list[Rollup]]:
    """Every monthly roll-up of one scope, by metric, oldest first."""
    rows = Rollup.objects.filter(scope=scope, scope_id=scope_id, grain=Grain.MONTH)
    months: dict[str, list[Rollup]] = {}
    for row in rows.order_by("period_start"):
        months.setdefault(row.metric, []).append(row)
    return months


def seed(*, stdout: Any, options: dict[str, Any]) -> None:
    progress = Progress(stdout, "Roadmap")
    counts = _seed()
    progress.done(
        f"{counts['initiatives']} initiatives, {counts['milestones']} milestones "
        f"({counts['late']} late), {counts['dependencies']} dependencies, "
        f"{counts['results']} expected results"
    )


@transaction.atomic
def _seed() -> dict[str, int]:
    today = timezone.localdate()
    Roadmap.objects.filter(is_current=True).exclude(name=ROADMAP_NAME).update(is_current=False)
    roadmap, _ = Roadmap.objects.update_or_create(
        name=ROADMAP_NAME,
        defaults={
            "start_year": 2026,
            "end_year": 2030,
            "is_current": True,
            "description": "Five years of patient, measurable improvement.",
        },
    )
    pillars = {}
    for order, (name, colour, description) in enumerate(PILLARS, start=1):
        pillars[name], _ = Pillar.objects.update_or_create(
            roadmap=roadmap,
            name=name,
            defaults={"colour": colour, "description": description, "order": order},
        )
    departments = {d.slug: d for d in Department.objects.select_related("head")}
    fallback = next(iter(departments.values()), None)
    if fallback is None:
        return {"initiatives": 0, "milestones": 0, "late": 0, "dependencies": 0, "results": 0}
    touchpoints = {t.slug: t for t in Touchpoint.objects.all()}
    ceo = User.objects.filter(username="executive").first()

    initiatives: dict[str, Initiative] = {}
    late = 0
    milestone_count = 0
    for index, spec in enumerate(INITIATIVES):
        department = departments.get(spec.department, fallback)
        start, end = _month_start(spec.start), _month_end(spec.end)
        initiative, _ = Initiative.objects.update_or_create(
            pillar=pillars[spec.pillar],
            title=spec.title,
            defaults={
                "department": department,
                "sponsor": ceo if index % 3 == 0 else department.head,
                "start_date": start,
                "end_date": end,
                "description": f"{spec.title}: part of “{spec.pillar}”.",
                "progress": None,
                # A budget for every other initiative (25,000 to 475,000); an initiative aimed
                # at a touch point cites it as its driver.
                "budget": Decimal(25_000 * (1 + index * 7 % 19)) if index % 2 == 0 else None,
                "driver": touchpoints.get(spec.touchpoint) if spec.touchpoint else None,
            },
        )
        initiatives[spec.title] = initiative
        span = (end - start).days
        dues = [
            start.fromordinal(start.toordinal() + span * (step + 1) // len(spec.milestones))
            for step in range(len(spec.milestones))
        ]
        past = [due for due in dues if due < today]
        titles = [*spec.milestones[:-1], OUTCOMES.get(spec.title, spec.milestones[-1])]
        # Re-running after the plan's wording changed leaves no stale milestones behind.
        initiative.milestones.exclude(title__in=titles).delete()
        for step, (title, due) in enumerate(zip(titles, dues, strict=True)):
            is_late = spec.title in LATE and past and due == past[-1]
            done = None if due >= today or is_late else due
            late += bool(is_late)
            Milestone.objects.update_or_create(
                initiative=initiative,
                title=title,
                defaults={
                    "due_date": due,
                    "done_date": done,
                    # The outcome each initiative ends with is what its year must show.
                    "is_key": step == len(titles) - 1,
                },
            )
            milestone_count += 1

    for dependent, depends_on in DEPENDENCIES:
        Dependency.objects.get_or_create(
            initiative=initiatives[dependent], depends_on=initiatives[depends_on]
        )

    results = _expected_results(initiatives, touchpoints)
    # Budgets and results stated in money: a positive return, a negative one, one too early.
    results += seed_money(initiatives, today)
    _statuses(initiatives.values(), today)
    return {
        "initiatives": len(initiatives),
        "milestones": milestone_count,
        "late": late,
        "dependencies": len(DEPENDENCIES),
        "results": results,
    }


def _expected_results(
    initiatives: dict[str, Initiative], touchpoints: dict[str, Touchpoint]
) -> int:
    """Tie initiatives to the touch points they should move. Baselines are left to be measured
    from the seeded responses (the 3 months before each start); targets are set against what
    the seeded scores did since the start, so the demo shows every verdict: among started
    initiatives the first is achieved, the second behind, the rest on track (finished ones
    achieved); those started lately or not started yet read "too early"."""
    count = 0
    today = timezone.localdate()
    verdict_plan = ["achieved", "behind"]
    for spec in INITIATIVES:
        initiative = initiatives[spec.title]
        started = initiative.start_date <= today
        if not started and not spec.touchpoint:
            continue
        touchpoint = touchpoints.get(spec.touchpoint) if spec.touchpoint else None
        if touchpoint is not None:
            scope, scope_id = Scope.TOUCHPOINT, touchpoint.pk
        else:
            scope, scope_id = Scope.ORGANISATION, 0
        if not started:
            plan = "future"
        elif initiative.end_date < today:
            plan = "achieved"
        elif scope == Scope.TOUCHPOINT and verdict_plan:
            plan = verdict_plan.pop(0)
        else:
            plan = "on_track"
        metrics: list[str] = list(Metric)
        time_to_impact = SLOW_IMPACT.get(spec.title, TIME_TO_IMPACT_MONTHS)
        metric, target = _promise(
            plan, metrics, _monthly(scope, scope_id), initiative, time_to_impact, today
        )
        ExpectedResult.objects.filter(initiative=initiative).exclude(
            metric=metric, scope=scope, scope_id=scope_id
        ).delete()
        ExpectedResult.objects.update_or_create(
            initiative=initiative,
            metric=metric,
            scope=scope,
            scope_id=scope_id,
            defaults={
                "baseline": None,
                "baseline_months": BASELINE_MONTHS,
                "target": target,
                "by_date": initiative.end_date,
                "time_to_impact": time_to_impact,
            },
        )
        count += 1
    return count


def _promise(
    plan: str,
    metrics: list[str],
    monthly: dict[str, list[Rollup]],
    initiative: Initiative,
    time_to_impact: int,
    today: date,
) -> tuple[str, float]:
    """The metric and target that make `plan` come true on the seeded scores, read by the
    same rules the pages use. Results still to be judged promise 15 steps above where the
    score stands; a plan the scores cannot honestly meet (an improvement that did not happen)
    falls back to promising 15 steps above the baseline."""
    start, by_date = initiative.start_date, initiative.end_date
    judged_now = today >= add_months(start, time_to_impact)
    candidates = []
    for metric in metrics:
        months = monthly.get(metric, [])
        baseline = measured_baseline(metric, months, start=start, today=today).value
        window = judged_window(metric, months, start=start, today=today)
        if baseline is not None and window is not None and window.value is not None:
            candidates.append((metric, months, baseline, window, window.value))
    if plan == "future" or not candidates:
        metric = metrics[0]
        months = monthly.get(metric, [])
        now = judged_window(metric, months, start=date(2000, 1, 1), today=today)
        standing = now.value if now is not None and now.enough else None
        floor = RANGE[metric][0] + 15 * STEP[metric]
        return metric, _stored(
            metric, (floor if standing is None else standing) + 15 * STEP[metric]
        )
    # The score that rose most (per step of its scale) tells a success best, the one that fell
    # most a shortfall.
    candidates.sort(
        key=lambda c: (c[4] - c[2]) / STEP[c[0]] * (-1 if plan == "behind" else 1),
        reverse=True,
    )
    for metric, months, baseline, window, actual in candidates:
        step = STEP[metric]
        middle = window.start + (window.end - window.start) / 2
        share = min(max((middle - start).days / max((by_date - start).days, 1), 0.01), 1.0)
        gain = actual - baseline
        if plan == "achieved":
            target = baseline + 0.7 * gain
        elif plan == "on_track":
            target = baseline + gain * 0.9 / share if share < 0.9 else actual + 0.1 * step
        else:
            target = max(baseline + 15 * step, baseline + gain / share + 5 * step)
        target = _stored(metric, target)
        found = result_verdict(
            metric=metric,
            months=months,
            baseline=baseline,
            target=target,
            start=start,
            by_date=by_date,
            today=today,
            time_to_impact=time_to_impact,
        )
        if target > baseline and found.kind == (plan if judged_now else TOO_EARLY):
            return metric, target
    metric, _, baseline, _, _ = candidates[0]
    return metric, _stored(metric, baseline + 15 * STEP[metric])


def _stored(metric: str, value: float) -> float:
    low, high = RANGE[metric]
    return round(min(high, max(low, value)), 2)


def _statuses(initiatives: Any, today: date) -> None:
    """Status as a CCO would have set it: done when over, in progress when started (each has
    an expected result by now), planned within a year, proposed after."""
    for initiative in initiatives:
        if initiative.end_date < today and initiative.title not in LATE:
            status = "done"
        elif initiative.start_date <= today and initiative.expected_results.exists():
            status = "in_progress"
        elif initiative.start_date.year <= today.year + 1:
            status = "planned"
        else:
            status = "proposed"
        if initiative.status != status:
            initiative.status = status
            initiative.save(update_fields=["status", "updated_at"])
