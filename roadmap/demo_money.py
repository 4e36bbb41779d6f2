# ruff: noqa: S311 - the demo's random costs are not secret.
"""Demo data for initiatives in money: budgets and expected results stated in retention,
revenue and cost to serve, read by the same rules the pages use, so the demo shows a positive
return, a negative one and one "too early"."""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings

from cco.models import Department
from metrics.models import KPI, KPIDirection, KPIObservation
from roadmap.models import ExpectedResult, Initiative, Measure
from roadmap.selectors.results import read_results
from roadmap.services.measures import CURRENCY_SYMBOLS
from roadmap.windows import add_months

COST_KPI = "Cost to serve per week"
# The weekly cost of serving customers before and after "First-call resolution" started.
COST_BEFORE, COST_AFTER = 52_000.0, 47_000.0


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _cost_kpi(department: Department, start: date, today: date) -> KPI:
    """A weekly cost-to-serve KPI in the currency, falling once the initiative started."""
    unit = CURRENCY_SYMBOLS.get(settings.CURRENCY, settings.CURRENCY)
    kpi, _ = KPI.objects.update_or_create(
        department=department,
        name=COST_KPI,
        defaults={"unit": unit, "direction": KPIDirection.LOWER, "goal": 45_000.0},
    )
    generator = random.Random("demo-cost-to-serve")
    first = _monday(add_months(start, -12))
    weeks = [first + timedelta(weeks=i) for i in range((today - first).days // 7)]
    kpi.observations.all().delete()
    KPIObservation.objects.bulk_create(
        KPIObservation(
            kpi=kpi,
            week_start=week,
            value=round(
                (COST_AFTER if week >= start else COST_BEFORE) + generator.gauss(0, 800), 2
            ),
        )
        for week in weeks
    )
    return kpi


def _state(initiative: Initiative, metric: str, **fields: Any) -> ExpectedResult:
    lookup = {"kpi": fields.pop("kpi")} if "kpi" in fields else {"metric": metric}
    result, _ = ExpectedResult.objects.update_or_create(
        initiative=initiative, **lookup, defaults={"metric": metric, **fields}
    )
    result.initiative = initiative
    return result


def seed_money(initiatives: dict[str, Initiative], today: date) -> int:
    """State three results in money. Returns how many were stated."""
    count = 0
    saving = initiatives.get("First-call resolution")
    if saving is not None and saving.start_date < today:
        kpi = _cost_kpi(saving.department, saving.start_date, today)
        _state(saving, Measure.COST_TO_SERVE, kpi=kpi, scope="department",
               scope_id=saving.department_id, baseline=None, target=COST_AFTER + 500,
               by_date=saving.end_date, time_to_impact=3)  # fmt: skip
        # Achieved: a year's saving of about 260,000 against this budget, a positive return.
        Initiative.objects.filter(pk=saving.pk).update(budget=Decimal(120_000))
        count += 1
    retention = initiatives.get("Mobile app rebuild")
    if retention is not None and retention.start_date < today:
        result = _state(retention, Measure.RETENTION, scope="organisation", scope_id=0,
                        baseline=None, target=99.0, by_date=retention.end_date,
                        time_to_impact=3)  # fmt: skip
        (reading,) = read_results([result], on=today)
        if reading.baseline.value is not None:
            result.target = round(min(100.0, reading.baseline.value + 3), 1)
            result.save(update_fields=["target"])
        # Whatever the seeded customers did, the budget outweighs what the change is worth:
        # the demo's negative return.
        worth = reading.value.actual.value if reading.value.actual else 0.0
        budget = Decimal(round(max(worth, 0.0) + 150_000))
        Initiative.objects.filter(pk=retention.pk).update(budget=budget)
        count += 1
    revenue = initiatives.get("Self-service billing")
    if revenue is not None:
        result = _state(revenue, Measure.REVENUE, scope="organisation", scope_id=0,
                        baseline=None, target=1.0, by_date=revenue.end_date,
                        time_to_impact=6)  # fmt: skip
        (reading,) = read_results([result], on=today)
        base = reading.baseline.value
        result.target = round((base if base is not None else 1_000.0) * 1.05, 2)
        result.save(update_fields=["target"])
        Initiative.objects.filter(pk=revenue.pk).update(budget=Decimal(80_000))
        count += 1
    return count
