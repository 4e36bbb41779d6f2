"""Breach detection: a touch point's latest complete week or month below its floor, or a
significant drop against the period before."""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from metrics import stats
from metrics.models import Breach, BreachRule, Grain, Rollup, Scope, Touchpoint
from metrics.selectors import ScorePoint, latest_complete_period, period_start_of, point_from_rollup
from metrics.signals import breaches_detected

DETECTION_GRAINS = (Grain.WEEK, Grain.MONTH)


@transaction.atomic
def breaches_detect(*, today: date | None = None) -> list[int]:
    """Record a Breach for each rule a touch point's latest complete week / month breaks.

    Below the floor: the whole 95 % interval of the score lies under the touch point's floor for
    that metric, with at least 30 responses — a score whose interval still reaches the floor may
    be noise, and nobody should be called to account for noise. Significant drop: the period's
    95 % interval lies wholly below the previous period's. Each breach records the previous
    period's score too, so it can be worded "10.5, floor 20.0, was 31.2 last period". The
    unique constraint plus the roll-up lock make a second run find the existing rows and add
    nothing. Returns the ids of new breaches; `breaches_detected` is sent
    with them once this transaction commits.
    """
    today = today or timezone.localdate()
    touchpoints = {tp.pk: tp for tp in Touchpoint.objects.all()}
    candidates: list[Breach] = []
    for grain in DETECTION_GRAINS:
        current = latest_complete_period(grain, today)
        # Any day of the period before would do; one day back is simply its last.
        previous = period_start_of(grain, current - timedelta(days=1))  # pragma: no mutate
        rows = Rollup.objects.filter(
            scope=Scope.TOUCHPOINT, grain=grain, period_start__in=[current, previous]
        )
        by_key: dict[tuple[str, int], dict[date, Rollup]] = {}
        for row in rows:
            by_key.setdefault((row.metric, row.scope_id), {})[row.period_start] = row
        for (metric, touchpoint_id), periods in sorted(by_key.items()):
            touchpoint = touchpoints.get(touchpoint_id)
            if touchpoint is None or current not in periods:
                continue
            now_row = periods[current]
            point = point_from_rollup(now_row)
            floor = touchpoint.floor_for(metric)
            base = {
                "metric": metric,
                "scope": Scope.TOUCHPOINT,
                "scope_id": touchpoint_id,
                "touchpoint": touchpoint,
                "grain": grain,
                "period_start": current,
                "value": point.value,
                "low": point.low,
                "high": point.high,
                "n": point.n,
            }
            before = point_from_rollup(periods[previous]) if previous in periods else None
            base["previous_value"] = before.value if before is not None else None
            if floor is not None and stats.wholly_below(point_estimate(point), floor):
                candidates.append(
                    Breach(**base, rule=BreachRule.BELOW_FLOOR, reference_value=floor)
                )
            if before is not None:
                if stats.intervals_separate(point_estimate(before), point_estimate(point)):
                    candidates.append(
                        Breach(
                            **base, rule=BreachRule.SIGNIFICANT_DROP, reference_value=before.value
                        )
                    )
    new_ids = _create_missing(candidates)
    if new_ids:
        transaction.on_commit(
            lambda: breaches_detected.send(sender=Breach, breach_ids=list(new_ids))
        )
    return new_ids


def point_estimate(point: ScorePoint) -> stats.Estimate:
    return stats.Estimate(point.value, point.low, point.high, point.n)


def _create_missing(candidates: list[Breach]) -> list[int]:
    if not candidates:
        return []
    existing = set(
        Breach.objects.filter(
            scope=Scope.TOUCHPOINT,
            scope_id__in={c.scope_id for c in candidates},
            period_start__in={c.period_start for c in candidates},
        ).values_list("metric", "scope_id", "grain", "period_start", "rule")
    )
    now = timezone.now()
    new_ids = []
    for breach in candidates:
        key = (breach.metric, breach.scope_id, breach.grain, breach.period_start, breach.rule)
        if key in existing:
            continue
        breach.detected_at = now
        # A new Breach has no id, so save() inserts either way; force_insert only says so.
        breach.save(force_insert=True)  # pragma: no mutate
        existing.add(key)
        new_ids.append(breach.pk)
    return new_ids
