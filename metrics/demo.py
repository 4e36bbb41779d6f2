# ruff: noqa: E501, S311 - demo data tables read best one row a line; the random data is not secret.
"""Demo data for the metrics app: 3 journeys, 40 touch points, two years of responses.

Deterministic (seeded random generator) and safe to re-run: nothing is added twice.
One touch point ("Delivery tracking") slides below its NPS floor last month, so the breach
detection run at the end finds a breach.
"""

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cco.demo import Progress, db_datetime, insert_rows
from cco.models import Department
from metrics.models import (
    KPI,
    Channel,
    CustomerOutcome,
    Journey,
    JourneyStage,
    KPIDirection,
    KPIObservation,
    SurveyResponse,
    Touchpoint,
)
from metrics.selectors import period_start_of
from metrics.services import rollup_rebuild
from metrics.theme_demo import seed_themes
from metrics.webhook_demo import DEMO_SOURCE, seed_webhook_source

SLIDING = "delivery-tracking"
# journey → stage → [(touch point, channel, department slug, typical NPS)]
JOURNEYS: dict[str, dict[str, list[tuple[str, str, str, int]]]] = {
    "Buy": {
        "Discover": [
            ("Advertising", "web", "marketing", 10), ("Website visit", "web", "digital", 25),
            ("Store visit", "store", "sales", 35), ("Price comparison", "web", "marketing", 5),
        ],
        "Choose": [
            ("Product pages", "web", "digital", 30), ("Sales call", "phone", "sales", 40),
            ("Live chat", "web", "customer-service", 35), ("Quote by email", "email", "sales", 20),
        ],
        "Purchase": [
            ("Online checkout", "web", "digital", 45), ("Payment", "web", "finance", 30),
            ("Order confirmation", "email", "operations", 50),
            ("Contract signing", "field", "legal", 15),
        ],
        "Receive": [
            ("Delivery tracking", "app", "operations", 30), ("Delivery", "field", "operations", 40),
            ("Installation", "field", "operations", 45), ("Unboxing", "field", "product", 55),
        ],
    },
    "Use": {
        "Get started": [
            ("Onboarding call", "video", "customer-service", 45),
            ("Mobile app set-up", "app", "digital", 20), ("Welcome email", "email", "marketing", 25),
            ("Account set-up", "web", "it", 15),
        ],
        "Everyday use": [
            ("Mobile app", "app", "digital", 30), ("Product quality", "field", "product", 35),
            ("Service outage notice", "email", "it", -10), ("Newsletter", "email", "marketing", 5),
        ],
        "Bill": [
            ("First invoice", "email", "finance", 0), ("Direct debit", "web", "finance", 20),
            ("Billing query", "phone", "finance", -5), ("Price change letter", "email", "finance", -20),
        ],
    },
    "Get help": {
        "Ask": [
            ("Help centre", "web", "customer-service", 10), ("Call centre", "phone", "customer-service", 20),
            ("Email support", "email", "customer-service", 15), ("Store help desk", "store", "sales", 35),
        ],
        "Resolve": [
            ("Technician visit", "field", "operations", 40), ("Complaint handling", "phone", "customer-service", -15),
            ("Refund", "web", "finance", 10), ("Escalation to specialist", "video", "product", 25),
        ],
        "Stay or leave": [
            ("Renewal offer", "email", "sales", 15), ("Cancellation call", "phone", "customer-service", -25),
            ("Win-back email", "email", "marketing", -5), ("Data export", "web", "it", 10),
        ],
    },
}  # fmt: skip
VERBATIMS = {
    "promoter": ["Quick and friendly, thank you.", "Exactly what I needed.", "Easy as it should be."],
    "detractor": ["I waited far too long.", "Nobody told me what was happening.", "Had to call twice."],
}  # fmt: skip
KPIS = [
    ("customer-service", "First-contact resolution", "%", KPIDirection.HIGHER, 75.0, 72.0),
    ("customer-service", "Average handling time", " min", KPIDirection.LOWER, 6.0, 6.3),
    ("sales", "Net revenue retention", "%", KPIDirection.HIGHER, 105.0, 107.0),
    ("finance", "Billing error rate", "%", KPIDirection.LOWER, 1.0, 1.6),
    ("operations", "On-time delivery", "%", KPIDirection.HIGHER, 95.0, 93.5),
    ("digital", "App crash-free sessions", "%", KPIDirection.HIGHER, 99.5, 99.7),
    ("marketing", "Churn", "%", KPIDirection.LOWER, 2.0, 2.4),
]


def seed(*, stdout: Any, options: dict[str, Any]) -> None:
    progress = Progress(stdout, "Metrics")
    touchpoints = _structure()
    _kpis()
    progress.done(f"{len(JOURNEYS)} journeys, {len(touchpoints)} touch points, {len(KPIS)} KPIs")
    secret = seed_webhook_source()
    progress.done(f"webhook source {DEMO_SOURCE!r}, questions mapped, secret {secret}")
    if SurveyResponse.objects.filter(source="demo").exists():
        progress.write("demo responses already present; not adding them again.")
        progress.done(f"{seed_themes()} themes read into the verbatims")
        return
    total = options.get("responses")
    total = DEFAULT_RESPONSES if total is None else total
    days = options.get("days") or HISTORY_DAYS
    with transaction.atomic():
        latest = _responses(touchpoints, total, days, progress)
    # One rebuild over everything, once the responses are in: far cheaper than rolling up as
    # they arrive, and it runs breach detection over the finished history.
    result = rollup_rebuild()
    progress.done(f"roll-ups of {result.responses:,} responses, {len(result.breach_ids)} breaches")
    customers = _customer_outcomes(latest)
    progress.done(f"{customers:,} customer outcomes and the say-versus-do roll-up")
    progress.done(f"{seed_themes()} themes read into the verbatims")


@transaction.atomic
def _structure() -> list[Touchpoint]:
    departments = {d.slug: d for d in Department.objects.all()}
    fallback = next(iter(departments.values()))
    touchpoints = []
    for j, (journey_name, stages) in enumerate(JOURNEYS.items()):
        journey, _ = Journey.objects.get_or_create(
            slug=journey_name.lower().replace(" ", "-"), defaults={"name": journey_name, "order": j}
        )
        for s, (stage_name, points) in enumerate(stages.items()):
            stage, _ = JourneyStage.objects.get_or_create(
                journey=journey, name=stage_name, defaults={"order": s}
            )
            for name, channel, department, typical in points:
                slug = name.lower().replace(" ", "-").replace("'", "")
                touchpoint, _ = Touchpoint.objects.get_or_create(
                    slug=slug,
                    defaults={
                        "name": name, "stage": stage, "channel": Channel(channel),
                        "department": departments.get(department, fallback),
                        "nps_floor": float(typical - 15 if slug != SLIDING else 10),
                        "nps_target": float(typical + 10), "csat_floor": 60.0,
                        "csat_target": 85.0, "ces_floor": 4.5, "ces_target": 5.5,
                    },
                )  # fmt: skip
                touchpoint.typical_nps = typical  # type: ignore[attr-defined]
                touchpoints.append(touchpoint)
    return touchpoints


@transaction.atomic
def _kpis() -> None:
    today = timezone.localdate()
    monday = period_start_of("week", today)
    generator = random.Random("demo-kpis")
    departments = {d.slug: d for d in Department.objects.select_related("head")}
    for slug, name, unit, direction, goal, level in KPIS:
        department = departments.get(slug)
        if department is None:
            continue
        kpi, created = KPI.objects.get_or_create(
            department=department, name=name,
            defaults={"unit": unit.strip(), "direction": direction, "goal": goal, "owner": department.head},
        )  # fmt: skip
        if created:
            KPIObservation.objects.bulk_create(
                KPIObservation(
                    kpi=kpi,
                    week_start=monday - timedelta(weeks=week),
                    value=round(level + generator.gauss(0, abs(level) * 0.01), 2),
                )
                for week in range(1, 13)
            )


DEFAULT_RESPONSES = 280_000
HISTORY_DAYS = 730
# Survey volume grows as the voice-of-the-customer programme rolls out: a quarter of today's
# volume two years ago, half a year ago, full volume over the last fourteen weeks. At full
# volume every touch point gets over 30 answers a week on each metric, so its latest complete
# week and month read with n ≥ 30; over the last year every week reads on NPS (the touch point
# page shows 52 weeks), and before that every month does.
FULL_DAYS, HALF_DAYS, EARLY_SHARE = 98, 365, 0.25
# Weekdays are busier than weekends; the shape averages 1 over a week, so weeks compare.
WEEKDAY_SHAPE = (1.16, 1.16, 1.16, 1.16, 1.16, 0.6, 0.6)
# Each run of 4 × (number of touch points) answers asks every touch point NPS twice, CSAT and
# CES once each, so every touch point collects every metric evenly, day by day.
QUESTIONS = ("nps", "nps", "csat", "ces")
COLUMNS = (
    "touchpoint", "metric", "score", "responded_at", "source", "external_id", "customer_id",
    "segment", "comment", "received_at",
)  # fmt: skip
BATCH = 2000


def volume_weight(days_ago: int) -> float:
    """The share of full survey volume collected `days_ago` days before today."""
    if days_ago <= FULL_DAYS:
        return 1.0
    if days_ago <= HALF_DAYS:
        return 1.0 - 0.5 * (days_ago - FULL_DAYS) / (HALF_DAYS - FULL_DAYS)
    return EARLY_SHARE


def daily_volumes(total: int, today: date, days: int = HISTORY_DAYS) -> list[tuple[int, date, int]]:
    """(days ago, day, responses) for the last `days` days of the history, oldest first.

    The volumes are those of the whole history adding up to about `total`; a shorter `days`
    keeps each day's volume and drops the older days (a quicker seed with the same recent
    figures).
    """
    history = [today - timedelta(days=offset) for offset in range(HISTORY_DAYS, 0, -1)]
    weights = [volume_weight((today - day).days) * WEEKDAY_SHAPE[day.weekday()] for day in history]
    per_unit = total / sum(weights)
    volumes = [
        ((today - day).days, day, round(per_unit * weight))
        for day, weight in zip(history, weights, strict=True)
    ]
    return volumes[max(HISTORY_DAYS - days, 0) :]


def response_rows(
    touchpoints: list[Touchpoint], total: int, today: date, days: int = HISTORY_DAYS
) -> Iterator[tuple[Any, ...]]:
    """The demo's survey answers as plain rows in COLUMNS order, oldest first.

    Plain tuples, not model instances: the seed writes them straight into the table.
    """
    generator = random.Random(20240101)
    tz = ZoneInfo(settings.TIME_ZONE)
    last_month = period_start_of("month", period_start_of("month", today) - timedelta(days=1))
    received = db_datetime(timezone.now())
    count = len(touchpoints)
    made = 0
    for offset, day, volume in daily_volumes(total, today, days):
        weekend = day.weekday() >= 5
        opening = datetime(day.year, day.month, day.day, 8, tzinfo=tz)
        for i in range(volume):
            touchpoint = touchpoints[made % count]
            metric = QUESTIONS[(made // count) % len(QUESTIONS)]
            made += 1
            typical = touchpoint.typical_nps  # type: ignore[attr-defined]
            if touchpoint.slug == SLIDING and day >= last_month:
                typical = -25
            if weekend:
                typical -= 5
            customer = _customer_id(offset, i)
            segment = segment_of(customer)
            typical += SEGMENT_NPS_SHIFT[segment]
            score = _score(generator, metric, typical)
            comment = ""
            if generator.random() < 0.01:
                comment = generator.choice(
                    VERBATIMS["promoter" if score >= 4 + (metric == "nps") * 5 else "detractor"]
                )
            # Answers spread over opening hours (08:00–20:00) in order, so the last answer
            # generated for a customer is also their latest.
            responded_at = opening + timedelta(minutes=720 * i // volume)
            generator.random()  # was the segment's draw: kept, so later answers stay the same
            yield (
                touchpoint.pk, metric, score, db_datetime(responded_at), "demo",
                f"demo-{offset}-{i}", customer if metric == "nps" else "",
                segment, comment, received,
            )  # fmt: skip


def _responses(
    touchpoints: list[Touchpoint], total: int, days: int, progress: Progress
) -> dict[str, int]:
    """Write the demo's answers in batches; returns each customer's latest NPS score."""
    today = timezone.localdate()
    latest: dict[str, int] = {}
    planned = sum(volume for _, _, volume in daily_volumes(total, today, days))
    report_every = max(planned // 5, BATCH)
    made = 0
    batch: list[tuple[Any, ...]] = []
    for row in response_rows(touchpoints, total, today, days):
        batch.append(row)
        if row[6]:
            latest[row[6]] = row[2]
        if len(batch) == BATCH:
            insert_rows(SurveyResponse, COLUMNS, batch)
            made += len(batch)
            batch = []
            if made % report_every < BATCH:
                progress.partial(f"responses {made:,} / {planned:,}")
    insert_rows(SurveyResponse, COLUMNS, batch)
    made += len(batch)
    progress.done(f"responses {made:,} / {planned:,}")
    return latest


def _score(generator: random.Random, metric: str, typical_nps: int) -> int:
    """A score whose NPS (or CSAT / CES) centres on the touch point's typical NPS."""
    promoters = 0.45 + typical_nps / 200
    detractors = promoters - typical_nps / 100
    draw = generator.random()
    if metric == "nps":
        if draw < promoters:
            return generator.choice((9, 10))
        if draw < 1 - detractors:
            return generator.choice((7, 8))
        return generator.randint(0, 6)
    high = 5 if metric == "csat" else 7
    if draw < promoters + 0.25:
        return high if generator.random() < 0.5 else high - 1
    return generator.randint(1, high - 2)


DEMO_CUSTOMERS = 20_000
# What customers went on to do, by segment and their latest answer: promoters stay and spend
# more; small businesses leave fastest after a poor experience, enterprises are held by
# contracts but each one is worth far more.
RETENTION = {
    "consumer": {"promoter": 0.93, "passive": 0.82, "detractor": 0.61},
    "small business": {"promoter": 0.91, "passive": 0.75, "detractor": 0.48},
    "enterprise": {"promoter": 0.97, "passive": 0.93, "detractor": 0.81},
}
REVENUE = {"promoter": 1400.0, "passive": 1050.0, "detractor": 720.0}
REVENUE_FACTOR = {"consumer": 1.0, "small business": 3.0, "enterprise": 12.0}
# Enterprises are served by account managers and answer warmer; small businesses colder.
SEGMENT_NPS_SHIFT = {"consumer": 2, "small business": -9, "enterprise": 11}


def segment_of(customer_id: str) -> str:
    """A demo customer's segment, fixed by their id: 15 % enterprise, 30 % small business."""
    share = int(customer_id[1:]) % 100
    if share < 15:
        return "enterprise"
    return "small business" if share < 45 else "consumer"


def _customer_id(offset: int, index: int) -> str:
    """A stable customer for each demo NPS answer, spread over DEMO_CUSTOMERS customers."""
    return f"C{(offset * 7919 + index * 104729) % DEMO_CUSTOMERS:05d}"


def _customer_outcomes(latest: dict[str, int]) -> int:
    """Outcomes for every demo customer, drawn by the category of their latest answer."""
    from metrics.services.customers import say_do_rebuild
    from metrics.services.segments import segment_rollup_rebuild

    generator = random.Random("demo-customers")
    today = timezone.localdate()
    outcomes = []
    for customer_id in sorted(latest):
        score = latest[customer_id]
        category = "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"
        segment = segment_of(customer_id)
        revenue = max(generator.gauss(REVENUE[category], 300), 0) * REVENUE_FACTOR[segment]
        outcomes.append(
            CustomerOutcome(
                customer_id=customer_id,
                retained=generator.random() < RETENTION[segment][category],
                revenue=Decimal(str(round(revenue, 2))),
                as_of=today,
            )
        )
    CustomerOutcome.objects.bulk_create(outcomes, batch_size=2000, ignore_conflicts=True)
    say_do_rebuild()
    segment_rollup_rebuild()
    from metrics.services.drivers import drivers_rebuild

    drivers_rebuild()
    return len(outcomes)
