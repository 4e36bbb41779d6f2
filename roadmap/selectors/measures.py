"""How an expected result stated in an outcome or a KPI is read over a window of months.

- **Retention %**: of the customers with an outcome (dated on or after the window's end) who
  answered at the result's scope in the window, the share retained; Wilson 95 % interval
  (as say versus do); at least 30 customers (`metrics.selectors.say_do.MIN_CUSTOMERS`).
- **Revenue per customer**: the mean twelve-month revenue of those customers with revenue known,
  t interval; at least 30 customers. A mean, not a sum: a sum grows with the number who
  answered, so a longer or busier window would look like more revenue.
- **Cost to serve** and **a department KPI**: the mean of the KPI's weekly observations whose
  week starts in the window, t interval over the weeks; at least 4 weeks. The product holds no
  cost data of its own, so cost to serve is a KPI in the currency (e.g. the department's weekly
  cost of serving customers).

Scores (NPS, CSAT, CES) are pooled from the monthly roll-ups in `roadmap.selectors.results`.
"""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.conf import settings

from metrics import stats
from metrics.models import KPIObservation
from metrics.selectors.outcomes import respondent_outcomes
from metrics.selectors.say_do import MIN_CUSTOMERS
from roadmap.models import KPI_MEASURES, ExpectedResult, Measure
from roadmap.stats import WindowReader
from roadmap.windows import Reading

# Weeks of a KPI before its mean judges a result: about a month.
MIN_WEEKS = 4

SCORE_UNITS = {Measure.NPS: "NPS points", Measure.CSAT: "% top-two box", Measure.CES: "of 7"}


def measure_unit(result: ExpectedResult) -> str:
    """The unit a result's baseline, target and actual are in: "%", "EUR", the KPI's unit."""
    if result.metric in KPI_MEASURES and result.kpi is not None:
        return result.kpi.unit
    if result.metric == Measure.RETENTION:
        return "%"
    if result.metric == Measure.REVENUE:
        return str(settings.CURRENCY)
    return SCORE_UNITS.get(Measure(result.metric), "")


def outcome_reader(result: ExpectedResult, *, version: str = "") -> WindowReader:
    """Reads retention or revenue per customer over a window; each window is one query, read
    once however often the baseline and verdict ask for it, and kept in the cache under
    `version` (`metrics.selectors.outcomes.outcomes_version()`) when one is given."""
    cache: dict[tuple[date, date], Reading] = {}

    def read(start: date, end: date) -> Reading:
        if (start, end) not in cache:
            counts = respondent_outcomes(
                scope=result.scope, scope_id=result.scope_id, start=start, end=end, version=version
            )
            if result.metric == Measure.RETENTION:
                estimate = stats.wilson(counts.retained, counts.customers)
            else:
                estimate = stats.mean(
                    counts.revenue_customers, counts.revenue_total, counts.revenue_sq
                )
            cache[(start, end)] = Reading.of(
                start, end, estimate, noun="customers", minimum=MIN_CUSTOMERS,
                base=counts.revenue_total,
            )  # fmt: skip
        return cache[(start, end)]

    return read


def kpi_weeks(kpi_ids: Iterable[int], *, since: date) -> dict[int, list[tuple[date, float]]]:
    """Weekly observations of many KPIs from `since`, in one query."""
    weeks: dict[int, list[tuple[date, float]]] = defaultdict(list)
    rows = KPIObservation.objects.filter(kpi_id__in=set(kpi_ids), week_start__gte=since)
    for kpi_id, week_start, value in rows.values_list("kpi_id", "week_start", "value"):
        weeks[kpi_id].append((week_start, value))
    return weeks


def kpi_reader(weeks: list[tuple[date, float]]) -> WindowReader:
    """Reads a KPI over a window: the mean of the weeks starting in it, with its t interval."""

    def read(start: date, end: date) -> Reading:
        inside = [value for week_start, value in weeks if start <= week_start < end]
        estimate = stats.mean(len(inside), sum(inside), sum(v * v for v in inside))
        return Reading.of(start, end, estimate, noun="weeks", minimum=MIN_WEEKS)

    return read
