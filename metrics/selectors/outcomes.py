"""Customer outcomes of the customers who answered at a scope in a window of days: what a
roadmap result stated in retention or revenue is read on (roadmap.selectors.measures)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.core.cache import cache
from django.db.models import Count, F, FloatField, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from metrics.models import CustomerOutcome, RollupWatermark, SayDoRollup, Scope, SurveyResponse

# A reading is kept this long at most, whatever the version says: a bound on anything a bulk
# change that moves neither the watermark nor the say-versus-do roll-up could leave stale.
CACHE_SECONDS = 3600

_SCOPE_FIELD = {
    Scope.TOUCHPOINT: "touchpoint_id",
    Scope.JOURNEY: "touchpoint__stage__journey_id",
    Scope.DEPARTMENT: "touchpoint__department_id",
}


@dataclass(frozen=True)
class OutcomeCounts:
    """Additive figures of a set of customers: how many, how many stayed, and their
    twelve-month revenue (count known, Σ and Σ² for a mean with its interval)."""

    customers: int
    retained: int
    revenue_customers: int
    revenue_total: float
    revenue_sq: float


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def outcomes_version() -> str:
    """A version of everything `respondent_outcomes` reads, in one query: the roll-up
    watermark (moved whenever stored answers are rolled up or the roll-ups rebuilt) and the
    say-versus-do roll-up (rebuilt, with new rows, after every customer import)."""
    found = (
        RollupWatermark.objects.filter(pk=1)
        .annotate(say_do=Subquery(SayDoRollup.objects.order_by("-pk").values("pk")[:1]))
        .values_list("last_response_id", "updated_at", "say_do")
        .first()
    )
    if found is None:
        return "0"
    last_id, updated_at, say_do = found
    return f"{last_id}-{updated_at.timestamp():.6f}-{say_do or 0}"


def respondent_outcomes(
    *, scope: str, scope_id: int, start: date, end: date, version: str = ""
) -> OutcomeCounts:
    """The outcomes of the customers who answered (any score, with their customer id) at the
    scope from `start` up to `end`, counting only outcomes dated on or after `end`: an outcome
    taken before the answers says nothing about what followed them. One aggregate query over
    the window's answers (the index on touch point and time serves a touch point's).

    With `version` (`outcomes_version()`), the figures are kept in the cache under it: at a
    million answers one window costs a few hundred milliseconds, and the same windows are read
    by every overview, initiative page and board pack until the data moves."""
    if not version:
        return _respondent_outcomes(scope=scope, scope_id=scope_id, start=start, end=end)
    key = f"outcomes:{version}:{scope}:{scope_id}:{start.isoformat()}:{end.isoformat()}"
    counts = cache.get(key)
    if counts is None:
        counts = _respondent_outcomes(scope=scope, scope_id=scope_id, start=start, end=end)
        cache.set(key, counts, CACHE_SECONDS)
    return counts


def _respondent_outcomes(*, scope: str, scope_id: int, start: date, end: date) -> OutcomeCounts:
    answers = SurveyResponse.objects.filter(
        responded_at__gte=_moment(start), responded_at__lt=_moment(end)
    ).exclude(customer_id="")
    if scope in _SCOPE_FIELD:
        answers = answers.filter(**{_SCOPE_FIELD[Scope(scope)]: scope_id})
    revenue = Cast("revenue", FloatField())
    figures = CustomerOutcome.objects.filter(
        customer_id__in=answers.values("customer_id"), as_of__gte=end
    ).aggregate(
        customers=Count("id"),
        retained=Count("id", filter=Q(retained=True)),
        revenue_customers=Count("revenue"),
        revenue_total=Sum(revenue),
        revenue_sq=Sum(F("revenue") * F("revenue"), output_field=FloatField()),
    )
    return OutcomeCounts(
        customers=figures["customers"],
        retained=figures["retained"],
        revenue_customers=figures["revenue_customers"],
        revenue_total=float(figures["revenue_total"] or 0.0),
        revenue_sq=float(figures["revenue_sq"] or 0.0),
    )
